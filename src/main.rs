//! The wasm entry point: everything else lives in the library so that browser tests can mount it.

fn main() {
    kafka_delivery_lab::start();
}
