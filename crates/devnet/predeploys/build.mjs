// Writes the devnet's genesis predeploys (the contracts Nitro dev nodes
// hold) to one JSON file: node build.mjs OUT.json
//
// * StylusDeployer: the compiled artifact published in
//   @arbitrum/nitro-contracts (its runtime code, unchanged).
// * Multicall3 and the CREATE2 factory: our Solidity beside this file,
//   compiled here with the pinned solc.
//
// Run by scripts/setup after `npm ci`; spon-devnet reads the file.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs OUT.json");
  process.exit(2);
}

const solc = require("solc");
const sources = ["Multicall3.sol", "Create2Factory.sol"];
const input = {
  language: "Solidity",
  sources: Object.fromEntries(
    sources.map((f) => [f, { content: readFileSync(join(here, f), "utf8") }]),
  ),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.deployedBytecode.object"] } },
  },
};
const compiled = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (compiled.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const ours = (file, name) => ({
  code: "0x" + compiled.contracts[file][name].evm.deployedBytecode.object,
  abi: compiled.contracts[file][name].abi,
  from: `${file} (solc ${solc.version()})`,
});

const nitro = "@arbitrum/nitro-contracts";
const nitroVersion = require(`${nitro}/package.json`).version;
const artifact = require(
  `${nitro}/build/contracts/src/stylus/StylusDeployer.sol/StylusDeployer.json`,
);
if (Object.keys(artifact.deployedLinkReferences || {}).length) {
  console.error("StylusDeployer's artifact needs linking; not supported");
  process.exit(1);
}

const predeploys = [
  {
    name: "StylusDeployer",
    address: "0xcEcba2F1DC234f70Dd89F2041029807F8D03A990",
    code: artifact.deployedBytecode,
    abi: artifact.abi,
    from: `${nitro}@${nitroVersion} ${artifact.sourceName}`,
  },
  {
    name: "Create2Factory",
    address: "0x4e59b44847b379578588920cA78FbF26c0B4956C",
    ...ours("Create2Factory.sol", "Create2Factory"),
  },
  {
    name: "Multicall3",
    address: "0xcA11bde05977b3631167028862bE2a173976CA11",
    ...ours("Multicall3.sol", "Multicall3"),
  },
];
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ predeploys }, null, 1) + "\n");
console.log(
  `predeploys: ${predeploys.map((p) => `${p.name} (${(p.code.length - 2) / 2} bytes)`).join(", ")} -> ${out}`,
);
