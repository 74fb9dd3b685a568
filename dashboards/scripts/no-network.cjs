// no-network.cjs: preloaded (node --require) into a dashboards build that must
// not reach the network: fetch, which Framework uses for the npm registry and
// jsDelivr, throws.  The data loaders' PostgreSQL connection is a socket, not
// fetch, and is untouched.
globalThis.fetch = async (url) => {
  throw new Error(`network access during the dashboards build: ${url}`);
};
