// The resolve hook of react18.mjs: React's own packages come from react18/.

const REACT_18 = new URL("./react18/package.json", import.meta.url).href;
const OWN = /^(react|react-dom|scheduler)(\/.*)?$/;

export async function resolve(specifier, context, nextResolve) {
  if (OWN.test(specifier)) return nextResolve(specifier, { ...context, parentURL: REACT_18 });
  return nextResolve(specifier, context);
}
