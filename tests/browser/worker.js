// A module worker importing the package entry unbundled; it posts its report (or the error) once.

import * as nninit from '../../dist/index.js';
import { report } from './cases.js';

const backendAtImport = nninit.getBackend();

report(nninit, backendAtImport).then(
  (result) => postMessage({ report: result }),
  (error) => postMessage({ error: String(error?.stack ?? error) }),
);
