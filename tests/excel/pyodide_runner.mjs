// Runs a Python file in Pyodide under Node, for tests/excel/test_excel_pyodide.py.
// Usage: node pyodide_runner.mjs JOB.json
// JOB: {"pyodide": dir of the npm package, "wheels": [paths], "work": host dir mounted
//       at /work, "script": path of the Python file to run (inside /work)}
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { loadPyodide } = await import(pathToFileURL(job.pyodide + "/pyodide.mjs").href);
const started = Date.now();
const pyodide = await loadPyodide({ indexURL: job.pyodide + "/" });
await pyodide.loadPackage(job.wheels, { messageCallback: () => {} });
pyodide.FS.mkdir("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: job.work }, "/work");
console.log(`pyodide ${pyodide.version} loaded in ${Date.now() - started} ms`);
pyodide.runPython(readFileSync(job.script, "utf8"), { filename: job.script });
