// Starts the explorer's web worker: wasm-bindgen's script for the worker's own module, then the
// module itself (src/bin/explorer-worker.rs, which tells the page when it is ready for a task).
importScripts("./explorer-worker.js");
wasm_bindgen({ module_or_path: "./explorer-worker_bg.wasm" }).catch((error) => {
  // A module that cannot load (missing, or not compiled) must not leave the page waiting forever.
  self.postMessage({ type: "error", message: `the explorer could not start: ${error}` });
});
