// The composition root's public face: startApp builds and stops everything
// that runs; startServer is its DNS part alone (tests that drive a server
// without the rest).

export { startApp, StartError, type App, type AppOptions } from './start.js';
export { startServer, type DrainResult, type QueryObserver, type RunningServer } from './dns.js';
