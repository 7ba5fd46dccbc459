// A page for React to render into: jsdom's window, document and navigator as the
// globals react-dom reads (some as it loads: import this module before it), and act()
// told that it is in a test.

import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: "http://app.test/" });

globalThis.window = dom.window;
globalThis.document = dom.window.document;
Object.defineProperty(globalThis, "navigator", { value: dom.window.navigator, configurable: true });
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
