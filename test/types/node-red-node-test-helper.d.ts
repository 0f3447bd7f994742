// node-red-node-test-helper ships no types; the tests use it through test/helpers/red.ts.
declare module 'node-red-node-test-helper';
