// drawflow ships no types (the page uses a few members through `any`); styles are bundled by esbuild.
declare module 'drawflow';
declare module '*.css';
