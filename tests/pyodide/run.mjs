// Runs Python under the real Pyodide (npm `pyodide`, the version in lite/versions.env) in Node:
//   node tests/pyodide/run.mjs <pyodide dir> <wheel dir> <script.py> [args...]
// Every wheel in <wheel dir> is unpacked into site-packages (livegraph's own wheel and, for the LLM
// checks, openai and its dependencies for Pyodide's platform), then <script.py> runs with `sys.argv` set
// and may `await` at the top level. The exit code is the script's value (a number), 1 on an exception.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelDir, script, ...args] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const started = Date.now();
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
for (const name of readdirSync(wheelDir).filter((n) => n.endsWith(".whl")).sort()) {
  pyodide.unpackArchive(new Uint8Array(readFileSync(path.join(wheelDir, name))), "wheel");
}
pyodide.FS.mkdirTree("/checks");
for (const name of readdirSync(path.dirname(script))) {
  if (name.endsWith(".py")) {
    pyodide.FS.writeFile(`/checks/${name}`, readFileSync(path.join(path.dirname(script), name)));
  }
}
console.log(`pyodide ${pyodide.version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
pyodide.globals.set("ARGV", [path.basename(script), ...args]);
let code = 0;
try {
  await pyodide.runPythonAsync(`
import sys
sys.argv = list(ARGV)
sys.path.insert(0, "/checks")
`);
  const value = await pyodide.runPythonAsync(readFileSync(script, "utf8"), { filename: path.basename(script) });
  code = typeof value === "number" ? Math.min(value, 100) : 0;
} catch (error) {
  console.error(String(error));
  code = 1;
}
process.exit(code);
