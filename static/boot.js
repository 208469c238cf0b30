// Loads the app's WebAssembly. It is a file of its own, not an inline script, so that the page's
// Content-Security-Policy can forbid inline scripts; Trunk fills in the hashed names below.
const tag = document.querySelector("script[data-kdl-js]");
const { default: init } = await import(tag.dataset.kdlJs);
await init({ module_or_path: tag.dataset.kdlWasm });
