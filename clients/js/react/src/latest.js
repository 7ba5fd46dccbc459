// The latest value a component rendered with, for callbacks that outlive the render:
// a handler passed inline is a new function every render, and following it by
// re-subscribing would re-join projects and drop events in between.

import { useEffect, useLayoutEffect, useRef } from "react";

// Updated once the render is committed (a render React throws away must not leak its
// handlers); before paint, so an event arriving next already sees the new ones. On a
// server nothing runs, and React 18 would warn about a layout effect there.
const useCommitted = typeof document === "undefined" ? useEffect : useLayoutEffect;

/**
 * @template T
 * @param {T} value
 * @returns {{ readonly current: T }}
 */
export function useLatest(value) {
  const ref = useRef(value);
  useCommitted(() => {
    ref.current = value;
  });
  return ref;
}
