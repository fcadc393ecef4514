/** Side effect: `loadLayersModel('https://…/model.json')` loads with fetch, in Node and browsers. */
import { http } from './http.js';
import { registerLoadRouter } from './router.js';

registerLoadRouter((url, opts) => (/^https?:\/\//i.test(url) ? http(url, opts) : null), { label: 'http(s):// URLs of model.json (load)' });
