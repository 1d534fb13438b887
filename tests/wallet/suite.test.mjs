// The SPON market played as wallets and dapps play it, with viem (a
// client we did not write) against a spon-devnet process that
// scripts/deploy deployed with the real cargo-stylus. It reads only
// deployments/<chainId>.json and deployments/abi/*.json.
//
//   SPON_RPC_URL=http://127.0.0.1:8547 SPON_DEPLOYER_KEY=0x… npm test
//
// tests/wallet/run starts the devnet, deploys and runs this.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BaseError,
  ContractFunctionRevertedError,
  InsufficientFundsError,
  NonceTooLowError,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  getAddress,
  http,
  keccak256,
  parseEther,
  parseEventLogs,
  parseSignature,
  toHex,
  zeroHash,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const url = process.env.SPON_RPC_URL;
const deployerKey = process.env.SPON_DEPLOYER_KEY;
assert.ok(url && deployerKey, "SPON_RPC_URL and SPON_DEPLOYER_KEY are needed");

const NETWORK_FEE_ACCOUNT = "0x00000000000000000000000000000000000A4B05";
const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";
const HOUR = 3600n;
const DAY = 86400n;
const SPON = 10n ** 18n;

// What a dapp ships: the chain, the deployment record and the ABIs.
const probe = createPublicClient({ transport: http(url) });
const chainId = await probe.getChainId();
const record = JSON.parse(
  readFileSync(join(root, "deployments", `${chainId}.json`), "utf8"),
);
const chain = defineChain({
  id: chainId,
  name: "SPON devnet",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url] } },
  contracts: { multicall3: { address: MULTICALL3, blockCreated: 0 } },
});
const client = createPublicClient({ chain, transport: http(url), pollingInterval: 50 });
const abi = (pkg) =>
  JSON.parse(readFileSync(join(root, "deployments/abi", `${pkg}.json`), "utf8"));
const contract = (pkg) => ({
  address: getAddress(record.contracts[pkg].address),
  abi: abi(pkg),
});
const token = contract("spon-token");
const staking = contract("spon-staking");
const registry = contract("spon-registry");
const market = contract("spon-market");
const leases = contract("spon-leases");
const challenges = contract("spon-challenges");
const governor = contract("spon-governance");
const allContracts = Object.keys(record.contracts).map((pkg) => [pkg, contract(pkg)]);

// Accounts: the deployer (treasury, all of SPON), and fresh keys.
const wallet = (key) =>
  createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(url) });
const deployer = wallet(deployerKey);
const fresh = () => wallet(generatePrivateKey());
const tenant = fresh();
const node = fresh();
const probeKey = privateKeyToAccount(generatePrivateKey());
const delegator = fresh();
const challenger = fresh();
const relayer = fresh();
const feeSeen = { txs: 0 };

/// The latest block's timestamp.
async function now() {
  return (await client.getBlock()).timestamp;
}

async function travel(secs) {
  await client.request({ method: "evm_increaseTime", params: [Number(secs)] });
  await client.request({ method: "evm_mine", params: [] });
}

/// Mines an empty block at `timestamp - 1`, so that the next transaction,
/// one second later, lands at `timestamp` (and is estimated against a
/// state where time has moved).
async function landNextAt(timestamp) {
  await client.request({ method: "evm_setNextBlockTimestamp", params: [Number(timestamp - 1n)] });
  await client.request({ method: "evm_mine", params: [] });
}

async function timeOf(receipt) {
  return (await client.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
}

/// Waits for `hash`, checks that it succeeded and that exactly gas used ×
/// effective price (plus the value it carried) left its sender, and the
/// same gas went to the network fee account; its receipt.
async function mined(hash, value = 0n) {
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, "success", `transaction ${hash} reverted`);
  const at = receipt.blockNumber;
  const fee = receipt.gasUsed * receipt.effectiveGasPrice;
  const spent =
    (await client.getBalance({ address: receipt.from, blockNumber: at - 1n })) -
    (await client.getBalance({ address: receipt.from, blockNumber: at }));
  assert.equal(spent, fee + value, "the sender paid gas used × price, to the wei");
  const collected =
    (await client.getBalance({ address: NETWORK_FEE_ACCOUNT, blockNumber: at })) -
    (await client.getBalance({ address: NETWORK_FEE_ACCOUNT, blockNumber: at - 1n }));
  assert.equal(collected, fee, "the network fee account got it, to the wei");
  feeSeen.txs += 1;
  return receipt;
}

/// Sends `functionName(args)` to `c` from `w` as a wallet does (viem fills
/// nonce, fees and gas); the mined receipt, its logs decoded.
async function send(w, c, functionName, args = [], value = 0n) {
  const hash = await w.writeContract({ ...c, functionName, args, value });
  const receipt = await mined(hash, value);
  return { receipt, events: parseEventLogs({ abi: c.abi, logs: receipt.logs }) };
}

function read(c, functionName, args = [], blockNumber) {
  return client.readContract({ ...c, functionName, args, blockNumber });
}

/// The name of the custom error `promise` was refused with, as viem decodes
/// it from the ABI.
async function refusal(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof BaseError, `not a viem error: ${e}`);
    const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError);
    assert.ok(reverted, `not a revert: ${e.shortMessage}`);
    assert.ok(reverted.data?.errorName, `undecoded revert: ${e.shortMessage}`);
    return reverted.data;
  }
  assert.fail("expected a refusal");
}

// Packed words, as the README documents them (bit offsets from the least
// significant bit).
function pack(fields) {
  let word = 0n;
  for (const [offset, bits, value] of fields) {
    const v = BigInt(value);
    assert.ok(v < 1n << BigInt(bits), `field at ${offset} overflows`);
    word |= v << BigInt(offset);
  }
  return word;
}
const region = (code) => (code.charCodeAt(0) << 8) | code.charCodeAt(1);
const CUDA = 1;
const HOPPER = 1;
const hardware = pack([
  [0, 16, HOPPER],
  [16, 16, 8], // GPUs
  [32, 32, 81_559], // MiB each
  [64, 16, 224], // CPU cores
  [80, 32, 2_048], // GiB RAM
  [112, 32, 30_720], // GiB storage
  [144, 16, region("DE")],
  [160, 32, 10_000], // Mbit/s
  [192, 32, CUDA],
]);
const requirements = pack([
  [0, 16, HOPPER],
  [16, 16, 4], // GPUs
  [32, 32, 80_000], // MiB each
  [64, 16, region("DE")],
  [128, 32, 1_000], // Mbit/s
  [160, 32, CUDA],
  [192, 8, 6], // tier 6 or better
]);
const summaryAt = (timestamp) =>
  pack([
    [0, 64, timestamp],
    [64, 32, 8 * 700_000], // GFLOP/s, all GPUs
    [96, 32, 3_350], // GB/s
    [128, 32, 8 * 81_559], // MiB seen
    [160, 16, 8], // GPUs found
    [176, 32, 10_000], // Mbit/s
    [208, 32, 900], // µs
    [240, 16, 1], // measured on a GPU
  ]);

/// A fresh EIP-712 probe result of `node`, signed by its probe key with
/// signTypedData, committed by the relayer.
async function commitProbe(challengeSeed = 0n) {
  const nonce = (await read(registry, "probeOf", [node.account.address])).nextNonce;
  const message = {
    node: node.account.address,
    reportHash: keccak256(toHex("probe report")),
    summary: summaryAt(await now()),
    challengeId: challengeSeed,
    nonce: BigInt(nonce),
  };
  const signature = await probeKey.signTypedData({
    domain: { name: "SPON Registry", version: "1", chainId, verifyingContract: registry.address },
    types: {
      ProbeResult: [
        { name: "node", type: "address" },
        { name: "reportHash", type: "bytes32" },
        { name: "summary", type: "uint256" },
        { name: "challengeId", type: "uint256" },
        { name: "nonce", type: "uint256" },
      ],
    },
    primaryType: "ProbeResult",
    message,
  });
  return send(relayer, registry, "commitProbe", [
    message.node,
    message.reportHash,
    message.summary,
    message.challengeId,
    nonce,
    signature,
  ]);
}

/// Runs `calls` through the governor: proposed, voted with the deployer's
/// SPON, queued and executed, with time travel between.
async function govern(calls, description) {
  const targets = calls.map((c) => c.address);
  const values = calls.map(() => 0n);
  const calldatas = calls.map((c) => encodeFunctionData(c));
  const proposed = await send(deployer, governor, "propose", [
    targets,
    values,
    calldatas,
    keccak256(toHex(description)),
  ]);
  const created = proposed.events.find((e) => e.eventName === "ProposalCreated");
  assert.ok(created, "ProposalCreated");
  const id = await read(governor, "proposalCount");
  await travel(DAY + 60n);
  const votes = 100_000_000n * SPON;
  await send(deployer, token, "approve", [governor.address, votes]);
  const voted = await send(deployer, governor, "castVote", [id, 1, votes]);
  assert.ok(voted.events.some((e) => e.eventName === "VoteCast"));
  await travel(3n * DAY + 60n);
  await send(deployer, governor, "queue", [id]);
  await travel(2n * DAY + 60n);
  const executed = await send(deployer, governor, "execute", [id, targets, values, calldatas]);
  assert.ok(executed.events.some((e) => e.eventName === "ProposalExecuted"));
  return id;
}

test("the chain is what a wallet expects", async () => {
  assert.equal(chainId, 412346);
  const genesis = await client.getBlock({ blockNumber: 0n });
  assert.equal(genesis.number, 0n);
  assert.ok((await client.getBlock()).baseFeePerGas > 0n);
  // Multicall3 at its usual address: viem batches reads through it.
  const [symbol, supply, decimals] = await client.multicall({
    contracts: [
      { ...token, functionName: "symbol" },
      { ...token, functionName: "totalSupply" },
      { ...token, functionName: "decimals" },
    ],
    allowFailure: false,
  });
  assert.deepEqual([symbol, decimals], ["SPON", 18]);
  assert.equal(supply, BigInt(record.settings.supply));
});

test("ETH and SPON transfers, gas charged to the wei, an EIP-2612 permit", async () => {
  for (const w of [tenant, node, delegator, challenger, relayer]) {
    const value = parseEther("10");
    const hash = await deployer.sendTransaction({ to: w.account.address, value });
    await mined(hash, value);
    assert.equal(await client.getBalance({ address: w.account.address }), value);
  }
  for (const [w, amount] of [
    [tenant, 1_000n],
    [node, 60_000n],
    [delegator, 20_000n],
    [challenger, 10_000n],
  ]) {
    const { events } = await send(deployer, token, "transfer", [w.account.address, amount * SPON]);
    assert.deepEqual(events[0].args, {
      from: deployer.account.address,
      to: w.account.address,
      value: amount * SPON,
    });
  }
  // Permit: the tenant signs, the relayer submits; the allowance is set
  // without a transaction of the tenant's.
  const deadline = (await now()) + HOUR;
  const nonce = await read(token, "nonces", [tenant.account.address]);
  const value = 1_000n * SPON;
  const signature = await tenant.signTypedData({
    domain: { name: "SPON", version: "1", chainId, verifyingContract: token.address },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner: tenant.account.address, spender: market.address, value, nonce, deadline },
  });
  const { r, s, v } = parseSignature(signature);
  const args = [tenant.account.address, market.address, value, deadline, Number(v), r, s];
  await send(relayer, token, "permit", args);
  assert.equal(await read(token, "allowance", [tenant.account.address, market.address]), value);
  assert.equal(await read(token, "nonces", [tenant.account.address]), nonce + 1n);
  // The same signature again is refused by name.
  const replay = await refusal(
    client.simulateContract({ ...token, functionName: "permit", args, account: relayer.account }),
  );
  assert.equal(replay.errorName, "ERC2612InvalidSigner");
});

test("stake, delegate, a Provider node approved by a governance vote, an EIP-712 probe", async () => {
  await send(node, token, "approve", [staking.address, 50_000n * SPON]);
  const staked = await send(node, staking, "stake", [50_000n * SPON]);
  assert.ok(staked.events.some((e) => e.eventName === "Staked"));
  await send(delegator, token, "approve", [staking.address, 20_000n * SPON]);
  await send(delegator, staking, "delegate", [node.account.address, 20_000n * SPON]);
  assert.equal(
    await read(staking, "delegationOf", [node.account.address, delegator.account.address]),
    20_000n * SPON,
  );
  const pool = await read(staking, "poolOf", [node.account.address]);
  assert.equal(pool.tokens, 70_000n * SPON, "self-stake and delegation in one pool");
  assert.equal(pool.openOffences, 0n);

  await send(node, registry, "proposeProvider", [
    hardware,
    "https://node.example/manifests",
    keccak256(toHex("tls certificate")),
    probeKey.address,
  ]);
  assert.equal((await read(registry, "nodeOf", [node.account.address])).state, 1, "Proposed");
  // Only governance approves: the node itself is refused by name.
  const early = await refusal(
    client.simulateContract({
      ...registry,
      functionName: "approveProvider",
      args: [node.account.address, hardware],
      account: node.account,
    }),
  );
  assert.equal(early.errorName, "Unauthorized");
  await govern(
    [{ ...registry, functionName: "approveProvider", args: [node.account.address, hardware] }],
    "approve the wallet suite's Provider node",
  );
  const registered = await read(registry, "nodeOf", [node.account.address]);
  assert.equal(registered.state, 2, "Active");
  assert.equal(registered.hardware, hardware);
  assert.equal(getAddress(registered.probeKey), probeKey.address);

  const { events } = await commitProbe();
  assert.ok(events.length > 0);
  const committed = await read(registry, "probeOf", [node.account.address]);
  assert.equal(committed.nextNonce, 1n);
  assert.equal(await read(registry, "tierOf", [node.account.address]), 4);
});

let lease;

test("order, bid, match, accept, settle and close, to the unit; events through filters", async () => {
  // A dapp watches the market through a log filter (eth_newFilter,
  // eth_getFilterChanges) and new blocks through a block filter.
  const blocks = await client.createBlockFilter();
  const seen = [];
  const unwatch = client.watchContractEvent({
    ...market,
    eventName: "OrderCreated",
    onLogs: (logs) => seen.push(...logs),
    pollingInterval: 50,
  });
  const filter = await client.createContractEventFilter({ ...market, eventName: "BidPlaced" });

  const price = 4n * SPON;
  const deposit = 10n * SPON;
  const tenantBefore = await read(token, "balanceOf", [tenant.account.address]);
  const ordered = await send(tenant, market, "createOrder", [
    requirements,
    token.address,
    10n * SPON,
    HOUR,
    deposit,
  ]);
  const created = ordered.events.find((e) => e.eventName === "OrderCreated");
  const orderId = created.args.orderId;
  for (let i = 0; i < 100 && seen.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  unwatch();
  assert.equal(seen.length, 1, "the watcher saw the order");
  assert.equal(seen[0].args.orderId, orderId);
  const order = await read(market, "orderOf", [orderId]);
  assert.equal(order.tenant, tenant.account.address);
  assert.equal(order.deposit, deposit);

  const bid = await send(node, market, "placeBid", [orderId, price]);
  const bidId = bid.events.find((e) => e.eventName === "BidPlaced").args.bidId;
  const bids = await client.getFilterChanges({ filter });
  assert.equal(bids.length, 1);
  assert.equal(bids[0].args.bidId, bidId);
  assert.equal((await client.getFilterLogs({ filter })).length, 1);
  await client.uninstallFilter({ filter });
  const newBlocks = await client.getFilterChanges({ filter: blocks });
  assert.ok(newBlocks.length >= 2, "a block per transaction");

  await send(relayer, market, "proposeMatch", [orderId, bidId]);
  const manifest = keccak256(toHex("image: vllm\ngpus: 4\n"));
  await send(tenant, market, "acceptMatch", [orderId, manifest]);
  lease = orderId;
  const opened = await read(leases, "leaseOf", [lease]);
  assert.equal(opened.node, node.account.address);
  assert.equal(opened.pricePerHour, price);
  assert.equal(opened.state, 1, "active");

  // Half an hour: exactly 2 SPON to the node, no fee in SPON.
  const nodeBefore = await read(token, "balanceOf", [node.account.address]);
  await landNextAt(opened.start + HOUR / 2n);
  const settled = await send(relayer, leases, "settle", [lease]);
  assert.equal(await timeOf(settled.receipt), opened.start + HOUR / 2n);
  const nodeAfter = await read(token, "balanceOf", [node.account.address]);
  assert.equal(nodeAfter - nodeBefore, 2n * SPON);
  // Closed by the tenant at 45 minutes: 1 SPON more to the node, the rest
  // of the deposit back.
  await landNextAt(opened.start + (3n * HOUR) / 4n);
  const closed = await send(tenant, leases, "closeLease", [lease]);
  assert.equal(await timeOf(closed.receipt), opened.start + (3n * HOUR) / 4n);
  assert.ok(closed.events.some((e) => e.eventName === "LeaseClosed"));
  assert.equal((await read(token, "balanceOf", [node.account.address])) - nodeAfter, SPON);
  const tenantAfter = await read(token, "balanceOf", [tenant.account.address]);
  assert.equal(
    tenantBefore - tenantAfter,
    3n * SPON,
    "of its 10 SPON deposit the tenant paid 45 minutes at 4 SPON/h, the rest came back",
  );
  assert.equal((await read(leases, "leaseOf", [lease])).state, 4, "closed");
});

test("a liveness challenge answered by a fresh signed probe", async () => {
  await send(challenger, token, "approve", [challenges.address, 10_000n * SPON]);
  const opened = await send(challenger, challenges, "openChallenge", [
    0,
    node.account.address,
    0n,
    zeroHash,
  ]);
  const id = opened.events.find((e) => e.eventName === "ChallengeOpened").args.challengeId;
  const work = await read(challenges, "gpuWorkOf", [id]);
  await commitProbe(BigInt(work.seed));
  const answered = await send(relayer, challenges, "answerLiveness", [id]);
  assert.ok(answered.events.some((e) => e.eventName === "LivenessAnswered"));
  assert.equal((await read(challenges, "challengeOf", [id])).state, 4, "passed");
});

test("every view answers, decoded with its field names, or refuses by name", async () => {
  const sample = {
    address: () => node.account.address,
    bool: () => false,
    bytes32: () => zeroHash,
    bytes: () => "0x",
    bytes4: () => "0x01ffc9a7",
    string: () => "",
  };
  const argFor = (type) =>
    sample[type] ? sample[type]() : type.startsWith("uint") || type.startsWith("int") ? 1n : undefined;
  const named = (param, value, where) => {
    if (param.type === "tuple") {
      assert.equal(typeof value, "object", where);
      const keys = param.components.map((c) => c.name);
      assert.ok(keys.every((k) => k), `${where}: every field is named`);
      assert.deepEqual(Object.keys(value).sort(), [...keys].sort(), where);
      for (const c of param.components) named(c, value[c.name], `${where}.${c.name}`);
    }
  };
  let views = 0;
  let refused = 0;
  for (const [pkg, c] of allContracts) {
    for (const f of c.abi.filter((x) => x.type === "function" && x.stateMutability === "view")) {
      const args = f.inputs.map((i) => argFor(i.type));
      assert.ok(!args.includes(undefined), `${pkg}.${f.name}: an argument type to sample`);
      views += 1;
      try {
        const value = await read(c, f.name, args);
        if (f.outputs.length === 1) named(f.outputs[0], value, `${pkg}.${f.name}`);
        else f.outputs.forEach((o, i) => named(o, value[i], `${pkg}.${f.name}[${i}]`));
      } catch (e) {
        const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError);
        assert.ok(reverted?.data?.errorName, `${pkg}.${f.name}: ${e.shortMessage}`);
        refused += 1;
      }
    }
  }
  console.log(`# ${views} views read (${refused} refused by name for the sample arguments)`);
  assert.ok(views > 50);
});

test("refusals decode to their custom errors' names, state untouched", async () => {
  const cases = [
    [tenant, token, "transfer", [node.account.address, 10n ** 30n], "ERC20InsufficientBalance"],
    [tenant, staking, "stake", [0n], "ZeroAmount"],
    [tenant, market, "placeBid", [lease, SPON], null],
    [tenant, leases, "settle", [9_999n], null],
    [challenger, challenges, "answerLiveness", [9_999n], null],
    [tenant, registry, "setMaintenance", [true], null],
    [tenant, governor, "queue", [9_999n], null],
  ];
  for (const [w, c, functionName, args, expected] of cases) {
    const before = await client.getBlockNumber();
    const refusedWith = await refusal(
      w.writeContract({ ...c, functionName, args }),
    );
    assert.ok(
      c.abi.some((x) => x.type === "error" && x.name === refusedWith.errorName),
      `${functionName}: ${refusedWith.errorName} is in the contract's ABI`,
    );
    if (expected) assert.equal(refusedWith.errorName, expected, functionName);
    assert.equal(await client.getBlockNumber(), before, `${functionName}: nothing mined`);
  }
});

test("nonce and funds refusals are classified by the client", async () => {
  const me = relayer.account.address;
  const nonce = await client.getTransactionCount({ address: me });
  const stale = relayer.sendTransaction({ to: me, value: 1n, nonce: nonce - 1 });
  await assert.rejects(stale, (e) => Boolean(e.walk((x) => x instanceof NonceTooLowError)));
  const broke = fresh();
  const poor = broke.sendTransaction({ to: me, value: 1n, gas: 21_000n });
  await assert.rejects(poor, (e) => Boolean(e.walk((x) => x instanceof InsufficientFundsError)));
});

test("reads at an earlier block see the state then", async () => {
  const me = tenant.account.address;
  const before = await client.getBlockNumber();
  const held = await read(token, "balanceOf", [me]);
  await send(tenant, token, "transfer", [node.account.address, 1n]);
  assert.equal(await read(token, "balanceOf", [me]), held - 1n);
  assert.equal(await read(token, "balanceOf", [me], before), held);
  assert.ok(
    (await client.getBalance({ address: me, blockNumber: before })) >
      (await client.getBalance({ address: me })),
  );
  assert.ok(feeSeen.txs >= 30, `gas checked on ${feeSeen.txs} transactions`);
  console.log(`# gas checked to the wei on ${feeSeen.txs} transactions`);
});
