//! motsu tests of the registry through its public functions, with the real
//! SPON token and staking contracts: every transition and refusal, probe
//! signatures, reputation, tiers, and INV-13 over random call sequences.

use alloy_primitives::{uint, Address, B256, U256};
use alloy_signer::SignerSync;
use motsu::prelude::*;
use proptest::prelude::*;
use spon_node::{
    hardware::{compute, gpu},
    probe::FLAG_GPU,
    Hardware, ProbeSummary,
};
use spon_staking::Staking;
use spon_token::SponToken;

use super::*;
use spon_contract_kit::admin::Error as AdminError;

const SPON: U256 = uint!(1_000000000000000000_U256);
const SUPPLY: U256 = uint!(1_000_000_000_000000000000000000_U256);
/// motsu's fixed block timestamp.
const MOTSU_TIME: u64 = 1_735_689_600;
/// motsu's chain id.
const CHAIN_ID: u64 = 42_161;

struct World {
    token: Contract<SponToken>,
    staking: Contract<Staking>,
    registry: Contract<Registry>,
    gov: Address,
    market: Address,
    challenges: Address,
}

fn a(n: u8) -> Address {
    Address::with_last_byte(n)
}

fn now() -> u64 {
    clock::now(MOTSU_TIME)
}

fn spon(n: u64) -> U256 {
    SPON * U256::from(n)
}

/// Deploys SPON, staking and the registry, wires the roles, and stakes
/// `stakes[i].1` SPON for node `stakes[i].0` (which keeps 100,000 SPON more,
/// approved to the staking contract).
fn world(stakes: &[(Address, u64)]) -> World {
    let w = World {
        token: Contract::new(),
        staking: Contract::new(),
        registry: Contract::new(),
        gov: a(0xA1),
        market: a(0xA3),
        challenges: a(0xA4),
    };
    let bank = a(0xB0);
    w.token
        .sender(bank)
        .constructor(bank, SUPPLY)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .constructor(w.token.address(), w.gov, a(0xA2))
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .constructor(w.staking.address(), w.gov)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .admin
        .set_role(roles::MARKET, w.market, true)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .admin
        .set_role(roles::CHALLENGES, w.challenges, true)
        .motsu_unwrap();
    for &(node, amount) in stakes {
        w.token
            .sender(bank)
            .transfer(node, spon(amount + 100_000))
            .motsu_unwrap();
        w.token
            .sender(node)
            .approve(w.staking.address(), U256::MAX)
            .motsu_unwrap();
        w.staking.sender(node).stake(spon(amount)).motsu_unwrap();
    }
    w
}

fn hopper() -> Hardware {
    Hardware {
        gpu_model: gpu::HOPPER,
        gpu_count: 8,
        vram_mib: 81_559,
        cpu_cores: 224,
        ram_gib: 2_048,
        storage_gib: 30_720,
        region: *b"DE",
        bandwidth_mbps: 100_000,
        compute_types: compute::CUDA | compute::FP64,
    }
}

fn laptop() -> Hardware {
    Hardware {
        gpu_model: gpu::RTX_40,
        gpu_count: 1,
        vram_mib: 8_188,
        cpu_cores: 16,
        ram_gib: 32,
        storage_gib: 1_000,
        region: *b"BR",
        bandwidth_mbps: 300,
        compute_types: compute::CUDA,
    }
}

fn word(h: &Hardware) -> U256 {
    U256::from_be_bytes(h.pack())
}

/// An honest measurement of `h` taken `age` seconds ago.
fn measured(h: &Hardware, age: u64) -> ProbeSummary {
    ProbeSummary {
        timestamp: now() - age,
        gemm_gflops: 600_000 * u32::from(h.gpu_count),
        mem_bandwidth_gbps: 3_000,
        vram_mib: h.vram_mib * u32::from(h.gpu_count),
        gpu_count: h.gpu_count,
        net_bandwidth_mbps: h.bandwidth_mbps,
        latency_us: 2_000,
        flags: FLAG_GPU,
    }
}

const ENDPOINT: &str = "https://gpu-1.provider.example:8443/manifests";
const TLS: B256 = B256::repeat_byte(0x77);

impl World {
    fn propose(&self, node: Address, key: Address) -> Result<(), Error> {
        self.registry
            .sender(node)
            .propose_provider(word(&hopper()), ENDPOINT.into(), TLS, key)
    }

    /// Proposes and approves `node` (100k SPON staked by the caller).
    fn active_provider(&self, node: Address, key: Address) {
        self.propose(node, key).motsu_unwrap();
        self.approve(node);
    }

    /// Governance approves what of `node` is under review now.
    fn approve(&self, node: Address) {
        let n = self.registry.sender(node).node_of(node);
        let hardware = if State::from_u8(n.state) == State::Proposed {
            n.hardware
        } else {
            n.pendingHardware
        };
        self.registry
            .sender(self.gov)
            .approve_provider(node, hardware)
            .motsu_unwrap();
    }

    fn state(&self, node: Address) -> State {
        State::from_u8(self.registry.sender(node).node_of(node).state)
    }

    fn signed(
        &self,
        key: &Account,
        node: Address,
        summary: &ProbeSummary,
        challenge: u64,
        nonce: u64,
    ) -> (B256, U256, U256, u64, Bytes) {
        let report = B256::repeat_byte(0xAB);
        let summary = U256::from_be_bytes(summary.pack());
        let challenge = U256::from(challenge);
        let domain = self.registry.sender(node).domain_separator();
        let digest = signing::digest(
            domain,
            signing::struct_hash(node, report, summary, challenge, nonce),
        );
        let sig = key.signer().sign_hash_sync(&digest).unwrap();
        let mut bytes = Vec::with_capacity(65);
        bytes.extend_from_slice(&sig.r().to_be_bytes::<32>());
        bytes.extend_from_slice(&sig.s().to_be_bytes::<32>());
        bytes.push(27 + u8::from(sig.v()));
        (report, summary, challenge, nonce, bytes.into())
    }

    fn commit(
        &self,
        relayer: Address,
        node: Address,
        signed: (B256, U256, U256, u64, Bytes),
    ) -> Result<(), Error> {
        let (report, summary, challenge, nonce, sig) = signed;
        self.registry
            .sender(relayer)
            .commit_probe(node, report, summary, challenge, nonce, sig)
    }

    fn tier(&self, node: Address) -> u8 {
        self.registry.sender(node).tier_of(node).motsu_unwrap()
    }
}

/// Everything `node_of`, `endpoint_of`, `probe_of` and `reputation_of`
/// say about `node`, to show a refused call changed nothing.
type Snapshot = (
    views::Node,
    views::Endpoint,
    views::Probe,
    views::Reputation,
);

/// `(completed, faulted, challenges lost, uptime eras, open)` leases and
/// counters of `node`.
fn reputation(w: &World, node: Address) -> (u64, u64, u64, u64, u64) {
    let r = w.registry.sender(node).reputation_of(node);
    (
        r.leasesCompleted,
        r.leasesFaulted,
        r.challengesLost,
        r.uptimeEras,
        r.leasesOpen,
    )
}

fn snapshot(w: &World, node: Address) -> Snapshot {
    let r = w.registry.sender(node);
    (
        r.node_of(node),
        r.endpoint_of(node),
        r.probe_of(node),
        r.reputation_of(node),
    )
}

// ------------------------------------------------------------ providers

#[motsu::test]
fn proposal_waits_for_governance_approval() {
    let (p, key) = (a(1), a(2));
    let w = world(&[(p, 100_000)]);
    w.propose(p, key).motsu_unwrap();
    assert_eq!(w.state(p), State::Proposed);
    w.registry.assert_emitted(&ProviderProposed {
        node: p,
        hardware: word(&hopper()),
        endpoint: ENDPOINT.into(),
        tlsCertHash: TLS,
        probeKey: key,
    });
    w.registry.assert_emitted(&NodeStateChanged {
        node: p,
        from: 0,
        to: 1,
    });
    assert_eq!(
        w.registry.sender(p).endpoint_of(p),
        views::Endpoint {
            uri: ENDPOINT.into(),
            tlsCertHash: TLS
        }
    );

    // Not by the node itself, the market, or anyone else.
    for intruder in [p, w.market, w.challenges, a(9)] {
        let err = w
            .registry
            .sender(intruder)
            .approve_provider(p, word(&hopper()))
            .motsu_unwrap_err();
        assert!(matches!(err, Error::Unauthorized(_)));
    }
    w.approve(p);
    assert_eq!(w.state(p), State::Active);
    w.registry.assert_emitted(&HardwareApproved {
        node: p,
        hardware: word(&hopper()),
    });
    let err = w
        .registry
        .sender(w.gov)
        .approve_provider(p, word(&hopper()))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NothingToApprove(_)));
}

#[motsu::test]
fn auto_approve_activates_at_once() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    w.registry
        .sender(w.gov)
        .admin
        .set_parameter(params::AUTO_APPROVE.id, U256::from(1))
        .motsu_unwrap();
    w.propose(p, a(2)).motsu_unwrap();
    assert_eq!(w.state(p), State::Active);
    // Updates apply at once too.
    let mut h = hopper();
    h.gpu_count = 4;
    w.registry
        .sender(p)
        .update_hardware(word(&h))
        .motsu_unwrap();
    assert_eq!(w.registry.sender(p).node_of(p).hardware, word(&h));
}

#[motsu::test]
fn duplicate_registration_is_refused() {
    let (p, f) = (a(1), a(3));
    let w = world(&[(p, 100_000), (f, 1_000)]);
    w.active_provider(p, a(2));
    let before = snapshot(&w, p);
    let err = w.propose(p, a(2)).motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::AlreadyRegistered(AlreadyRegistered { state: 2, .. })
    ));
    let err = w
        .registry
        .sender(p)
        .register_fizz(word(&laptop()), a(4), a(9))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::AlreadyRegistered(_)));
    assert_eq!(snapshot(&w, p), before);

    w.registry
        .sender(f)
        .register_fizz(word(&laptop()), a(4), p)
        .motsu_unwrap();
    let err = w.propose(f, a(4)).motsu_unwrap_err();
    assert!(matches!(err, Error::AlreadyRegistered(_)));
}

#[motsu::test]
fn bad_proposals_are_refused_and_change_nothing() {
    let (p, poor) = (a(1), a(5));
    let w = world(&[(p, 100_000), (poor, 9_999)]);
    let before = snapshot(&w, p);
    let mut bad = hopper();
    bad.region = *b"d1";
    let err = w
        .registry
        .sender(p)
        .propose_provider(word(&bad), ENDPOINT.into(), TLS, a(2))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidHardware(InvalidHardware { field: 5 })
    ));
    for endpoint in [String::new(), "x".repeat(MAX_ENDPOINT_LEN + 1)] {
        let err = w
            .registry
            .sender(p)
            .propose_provider(word(&hopper()), endpoint, TLS, a(2))
            .motsu_unwrap_err();
        assert!(matches!(err, Error::InvalidEndpoint(_)));
    }
    let err = w.propose(p, Address::ZERO).motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAddress(_)));
    assert_eq!(snapshot(&w, p), before);

    // 9,999 SPON of self-stake is below the 10,000 minimum.
    let err = w.propose(poor, a(6)).motsu_unwrap_err();
    assert!(
        matches!(err, Error::InsufficientStake(InsufficientStake { stake, required }) if stake == spon(9_999) && required == spon(10_000))
    );
    assert_eq!(w.state(poor), State::None);

    // The longest endpoint round-trips.
    let long = "h".repeat(MAX_ENDPOINT_LEN);
    w.registry
        .sender(p)
        .propose_provider(word(&hopper()), long.clone(), TLS, a(2))
        .motsu_unwrap();
    assert_eq!(w.registry.sender(p).endpoint_of(p).uri, long);
}

#[motsu::test]
fn hardware_updates_wait_for_approval_and_keep_the_approved_spec() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    w.propose(p, a(2)).motsu_unwrap();
    // Update while Proposed: refused.
    let err = w
        .registry
        .sender(p)
        .update_hardware(word(&laptop()))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 1, .. })
    ));
    w.approve(p);

    let mut more = hopper();
    more.gpu_count = 16;
    w.registry
        .sender(p)
        .update_hardware(word(&more))
        .motsu_unwrap();
    w.registry.assert_emitted(&HardwareProposed {
        node: p,
        hardware: word(&more),
    });
    let view = w.registry.sender(p).node_of(p);
    assert_eq!(
        (view.hardware, view.pendingHardware),
        (word(&hopper()), word(&more))
    );

    // Rejected: the approved spec stays.
    w.registry.sender(w.gov).reject_provider(p).motsu_unwrap();
    let view = w.registry.sender(p).node_of(p);
    assert_eq!(
        (view.hardware, view.pendingHardware),
        (word(&hopper()), U256::ZERO)
    );
    assert_eq!(w.state(p), State::Active);

    // Proposed again and approved: it applies.
    w.registry
        .sender(p)
        .update_hardware(word(&more))
        .motsu_unwrap();
    w.approve(p);
    let view = w.registry.sender(p).node_of(p);
    assert_eq!(
        (view.hardware, view.pendingHardware),
        (word(&more), U256::ZERO)
    );

    // Unregistered nodes cannot update.
    let err = w
        .registry
        .sender(a(9))
        .update_hardware(word(&more))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 0, .. })
    ));
}

#[motsu::test]
fn rejected_proposal_deactivates_and_may_be_filed_again() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    w.propose(p, a(2)).motsu_unwrap();
    w.registry.sender(w.gov).reject_provider(p).motsu_unwrap();
    assert_eq!(w.state(p), State::Deactivated);
    w.registry.assert_emitted(&HardwareRejected {
        node: p,
        hardware: word(&hopper()),
    });
    let err = w
        .registry
        .sender(w.gov)
        .reject_provider(p)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NothingToApprove(_)));
    w.propose(p, a(2)).motsu_unwrap();
    assert_eq!(w.state(p), State::Proposed);
}

#[motsu::test]
fn maintenance_suspension_and_deactivation() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    // Nothing to do before registering.
    let err = w
        .registry
        .sender(p)
        .set_maintenance(true)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 0, .. })
    ));
    w.active_provider(p, a(2));

    let err = w
        .registry
        .sender(p)
        .set_maintenance(false)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 2, .. })
    ));
    w.registry.sender(p).set_maintenance(true).motsu_unwrap();
    assert_eq!(w.state(p), State::Maintenance);
    w.registry.assert_emitted(&NodeStateChanged {
        node: p,
        from: 2,
        to: 3,
    });

    let err = w
        .registry
        .sender(p)
        .set_suspended(p, true)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    w.registry
        .sender(w.gov)
        .set_suspended(p, true)
        .motsu_unwrap();
    assert_eq!(w.state(p), State::Suspended);
    // A suspended node cannot lift its own suspension through maintenance.
    let err = w
        .registry
        .sender(p)
        .set_maintenance(false)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 4, .. })
    ));
    w.registry
        .sender(w.gov)
        .set_suspended(p, false)
        .motsu_unwrap();
    assert_eq!(w.state(p), State::Active);

    // Deactivation waits for open leases to end.
    w.registry.sender(w.market).lease_opened(p).motsu_unwrap();
    let err = w.registry.sender(p).deactivate().motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::LeasesOutstanding(LeasesOutstanding { active: 1, .. })
    ));
    w.registry
        .sender(w.market)
        .lease_closed(p, 1)
        .motsu_unwrap();
    w.registry.sender(p).deactivate().motsu_unwrap();
    assert_eq!(w.state(p), State::Deactivated);
    let err = w.registry.sender(p).deactivate().motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 5, .. })
    ));
    // Reputation survives deactivation.
    assert_eq!(reputation(&w, p), (1, 0, 0, 0, 0));
}

// ------------------------------------------------------------ Fizz nodes

#[motsu::test]
fn fizz_nodes_register_behind_a_gateway() {
    let (p, f, g, poor) = (a(1), a(3), a(4), a(5));
    let w = world(&[(p, 100_000), (f, 1_000), (g, 1_000), (poor, 499)]);
    // A proposed (not yet active) provider is no gateway.
    w.propose(p, a(2)).motsu_unwrap();
    for gateway in [p, a(9), f] {
        let err = w
            .registry
            .sender(f)
            .register_fizz(word(&laptop()), a(6), gateway)
            .motsu_unwrap_err();
        assert!(matches!(err, Error::UnknownGateway(_)), "{gateway}");
    }
    w.approve(p);
    assert!(w.registry.sender(f).gateway_allowed(p));

    // Under-staked.
    let err = w
        .registry
        .sender(poor)
        .register_fizz(word(&laptop()), a(7), p)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InsufficientStake(_)));
    assert_eq!(w.state(poor), State::None);

    w.registry
        .sender(f)
        .register_fizz(word(&laptop()), a(6), p)
        .motsu_unwrap();
    assert_eq!(w.state(f), State::Active);
    w.registry.assert_emitted(&FizzRegistered {
        node: f,
        gateway: p,
        hardware: word(&laptop()),
        probeKey: a(6),
    });

    // An approved gateway operator that is not a node.
    let operator = a(0x60);
    w.registry
        .sender(w.gov)
        .admin
        .set_role(roles::GATEWAY, operator, true)
        .motsu_unwrap();
    w.registry
        .sender(g)
        .register_fizz(word(&laptop()), a(8), operator)
        .motsu_unwrap();

    // Only its gateway drops a Fizz node; Provider nodes cannot be dropped.
    let err = w.registry.sender(operator).drop_fizz(f).motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    let err = w.registry.sender(p).drop_fizz(p).motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::WrongClass(WrongClass { expected: 2, .. })
    ));
    w.registry.sender(p).drop_fizz(f).motsu_unwrap();
    assert_eq!(w.state(f), State::Deactivated);
    // Fizz updates apply at once; endpoints are for providers.
    w.registry
        .sender(g)
        .update_hardware(word(&hopper()))
        .motsu_unwrap();
    assert_eq!(w.registry.sender(g).node_of(g).hardware, word(&hopper()));
    let err = w
        .registry
        .sender(g)
        .set_endpoint(ENDPOINT.into(), TLS)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::WrongClass(WrongClass { expected: 1, .. })
    ));
}

// ------------------------------------------------------------ probes

#[motsu::test]
fn probe_results_need_the_probe_key_signature_and_the_next_nonce() {
    let p = a(1);
    let key = Account::from_seed("probe-key");
    let w = world(&[(p, 100_000)]);
    w.active_provider(p, key.address());
    let honest = measured(&hopper(), 60);

    let signed = w.signed(&key, p, &honest, 0, 0);
    // Anyone may relay it.
    w.commit(a(9), p, signed.clone()).motsu_unwrap();
    let views::Probe {
        summary,
        reportHash: report,
        challengeId: challenge,
        nextNonce: nonce,
    } = w.registry.sender(p).probe_of(p);
    assert_eq!(summary, U256::from_be_bytes(honest.pack()));
    assert_eq!((report, challenge, nonce), (signed.0, U256::ZERO, 1));
    w.registry.assert_emitted(&ProbeCommitted {
        node: p,
        reportHash: signed.0,
        challengeId: U256::ZERO,
        summary,
        nonce: 0,
    });

    // Replayed: the nonce moved on.
    let before = snapshot(&w, p);
    let err = w.commit(a(9), p, signed).motsu_unwrap_err();
    assert!(matches!(err, Error::InvalidNonce(_)));
    // Signed by another key.
    let other = Account::from_seed("someone-else");
    let err = w
        .commit(p, p, w.signed(&other, p, &honest, 0, 1))
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::WrongSigner(WrongSigner { expected, recovered }) if expected == key.address() && recovered == other.address())
    );
    // Tampered after signing: the summary claims more GEMM throughput.
    let mut tampered = w.signed(&key, p, &honest, 0, 1);
    tampered.1 += U256::from(1) << 64;
    let err = w.commit(p, p, tampered).motsu_unwrap_err();
    assert!(matches!(err, Error::WrongSigner(_)));
    // Malformed signatures.
    let mut short = w.signed(&key, p, &honest, 0, 1);
    short.4 = short.4[..64].to_vec().into();
    assert!(matches!(
        w.commit(p, p, short).motsu_unwrap_err(),
        Error::InvalidSignature(_)
    ));
    let mut garbage = w.signed(&key, p, &honest, 0, 1);
    garbage.4 = vec![0u8; 65].into();
    assert!(matches!(
        w.commit(p, p, garbage).motsu_unwrap_err(),
        Error::InvalidSignature(_)
    ));
    // Stale, and from the future.
    let max_age = params::PROBE_MAX_AGE.default;
    let stale = measured(&hopper(), max_age + 1);
    assert!(matches!(
        w.commit(p, p, w.signed(&key, p, &stale, 0, 1))
            .motsu_unwrap_err(),
        Error::StaleProbe(_)
    ));
    let mut future = honest;
    future.timestamp = now() + 1;
    assert!(matches!(
        w.commit(p, p, w.signed(&key, p, &future, 0, 1))
            .motsu_unwrap_err(),
        Error::StaleProbe(_)
    ));
    // Unknown node.
    assert!(matches!(
        w.commit(p, a(9), w.signed(&key, a(9), &honest, 0, 0))
            .motsu_unwrap_err(),
        Error::InvalidState(InvalidState { state: 0, .. })
    ));
    assert_eq!(snapshot(&w, p), before);

    // The next nonce, answering challenge 7, after the key changed.
    let new_key = Account::from_seed("probe-key-2");
    w.registry
        .sender(p)
        .set_probe_key(new_key.address())
        .motsu_unwrap();
    assert!(matches!(
        w.commit(p, p, w.signed(&key, p, &honest, 7, 1))
            .motsu_unwrap_err(),
        Error::WrongSigner(_)
    ));
    w.commit(p, p, w.signed(&new_key, p, &honest, 7, 1))
        .motsu_unwrap();
    assert_eq!(w.registry.sender(p).probe_of(p).challengeId, U256::from(7));
}

#[motsu::test]
fn domain_separator_is_the_eip712_domain_of_this_contract() {
    let w = world(&[]);
    assert_eq!(
        w.registry.sender(a(1)).domain_separator(),
        signing::domain_separator(CHAIN_ID, w.registry.address())
    );
}

// ------------------------------------------------------------ tiers

#[motsu::test]
fn tiers_follow_stake_probe_uptime_and_reputation() {
    let (p, f, d) = (a(1), a(3), a(8));
    let key = Account::from_seed("probe-p");
    let fkey = Account::from_seed("probe-f");
    let w = world(&[(p, 10_000), (f, 500), (d, 1)]);
    assert_eq!(w.tier(p), spon_node::UNTRUSTED, "unknown node");
    w.propose(p, key.address()).motsu_unwrap();
    w.commit(p, p, w.signed(&key, p, &measured(&hopper(), 0), 0, 0))
        .motsu_unwrap();
    assert_eq!(w.tier(p), 7, "proposed, not approved");
    w.approve(p);
    assert_eq!(w.tier(p), 4, "approved, minimum stake, verified probe");

    // A probe that does not back the declared spec: untrusted.
    let mut weak = measured(&hopper(), 0);
    weak.gpu_count = 4;
    weak.vram_mib /= 2;
    w.commit(p, p, w.signed(&key, p, &weak, 0, 1))
        .motsu_unwrap();
    assert_eq!(w.tier(p), 7);
    w.commit(p, p, w.signed(&key, p, &measured(&hopper(), 0), 0, 2))
        .motsu_unwrap();

    // Delegations, uptime and completed leases reach tier 3.
    w.staking.sender(d).delegate(p, spon(15_000)).motsu_unwrap();
    for _ in 0..14 {
        w.registry
            .sender(w.challenges)
            .record_challenge(p, false)
            .motsu_unwrap();
        clock::advance(params::DAY);
    }
    // Fresh probe after two weeks.
    w.commit(p, p, w.signed(&key, p, &measured(&hopper(), 0), 0, 3))
        .motsu_unwrap();
    assert_eq!(w.tier(p), 4, "no leases yet");
    for _ in 0..3 {
        w.registry.sender(w.market).lease_opened(p).motsu_unwrap();
        w.registry
            .sender(w.market)
            .lease_closed(p, 1)
            .motsu_unwrap();
    }
    assert_eq!(w.tier(p), 3);
    // Governance lowers the tier-2 bars: tier 2.
    for (id, v) in [(9u8, 25_000u64), (11, 14), (12, 3)] {
        w.registry
            .sender(w.gov)
            .admin
            .set_parameter(id, U256::from(v))
            .motsu_unwrap();
    }
    assert_eq!(w.tier(p), 2);
    // A lost challenge costs a tier.
    w.registry
        .sender(w.challenges)
        .record_challenge(p, true)
        .motsu_unwrap();
    assert_eq!(w.tier(p), 3);

    // A Fizz node behind p: tier 6, untrusted once its gateway leaves good
    // standing.
    w.registry
        .sender(f)
        .register_fizz(word(&laptop()), fkey.address(), p)
        .motsu_unwrap();
    w.commit(f, f, w.signed(&fkey, f, &measured(&laptop(), 0), 0, 0))
        .motsu_unwrap();
    assert_eq!(w.tier(f), 6);
    w.registry
        .sender(w.gov)
        .set_suspended(p, true)
        .motsu_unwrap();
    assert_eq!(w.tier(f), 7);
    assert_eq!(w.tier(p), 7);
    w.registry
        .sender(w.gov)
        .set_suspended(p, false)
        .motsu_unwrap();
    assert_eq!(w.tier(f), 6);

    // The probe goes stale.
    clock::advance(params::PROBE_MAX_AGE.default + 1);
    assert_eq!(w.tier(p), 7);
    assert_eq!(w.tier(f), 7);
}

// ------------------------------------------------------------ reputation

#[motsu::test]
fn reputation_is_written_only_by_market_and_challenges() {
    let (p, f) = (a(1), a(3));
    let w = world(&[(p, 100_000), (f, 1_000)]);
    w.propose(p, a(2)).motsu_unwrap();
    // A lease needs an Active node.
    let err = w
        .registry
        .sender(w.market)
        .lease_opened(p)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 1, .. })
    ));
    w.approve(p);

    for intruder in [p, w.gov, w.challenges, a(9)] {
        let mut r = w.registry.sender(intruder);
        assert!(matches!(
            r.lease_opened(p).motsu_unwrap_err(),
            Error::Unauthorized(_)
        ));
        let mut r = w.registry.sender(intruder);
        assert!(matches!(
            r.lease_closed(p, 1).motsu_unwrap_err(),
            Error::Unauthorized(_)
        ));
    }
    for intruder in [p, w.gov, w.market, a(9)] {
        let mut r = w.registry.sender(intruder);
        assert!(matches!(
            r.record_challenge(p, true).motsu_unwrap_err(),
            Error::Unauthorized(_)
        ));
    }

    let err = w
        .registry
        .sender(w.market)
        .lease_closed(p, 1)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NoActiveLease(_)));
    w.registry.sender(w.market).lease_opened(p).motsu_unwrap();
    w.registry.sender(w.market).lease_opened(p).motsu_unwrap();
    w.registry
        .sender(w.market)
        .lease_closed(p, 1)
        .motsu_unwrap();
    w.registry
        .sender(w.market)
        .lease_closed(p, 2)
        .motsu_unwrap();
    w.registry
        .sender(w.challenges)
        .record_challenge(p, true)
        .motsu_unwrap();
    w.registry
        .sender(w.challenges)
        .record_challenge(p, false)
        .motsu_unwrap();
    let err = w
        .registry
        .sender(w.challenges)
        .record_challenge(p, false)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::UptimeAlreadyRecorded(_)));
    assert_eq!(reputation(&w, p), (1, 1, 1, 1, 0));
    w.registry.assert_emitted(&ReputationChanged {
        node: p,
        leasesCompleted: 1,
        leasesFaulted: 1,
        challengesLost: 1,
        uptimeEras: 1,
        activeLeases: 0,
    });
    let err = w
        .registry
        .sender(w.challenges)
        .record_challenge(a(9), true)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState(InvalidState { state: 0, .. })
    ));
}

// ------------------------------------------------------------ governance

#[motsu::test]
fn parameters_roles_and_pause() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    let mut g = w.registry.sender(w.gov);
    let err = g
        .admin
        .set_parameter(params::PROBE_MAX_AGE.id, U256::from(60))
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::ParameterOutOfBounds(_)));
    let err = w
        .registry
        .sender(w.gov)
        .admin
        .set_parameter(params::COUNT as u8, U256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::UnknownParameter(_)));
    let err = w
        .registry
        .sender(p)
        .admin
        .set_parameter(params::AUTO_APPROVE.id, U256::from(1))
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::Unauthorized(_)));
    w.registry
        .sender(w.gov)
        .admin
        .set_parameter(params::MIN_PROVIDER_STAKE.id, U256::from(200_000))
        .motsu_unwrap();
    w.registry.assert_emitted(&ParameterChanged {
        id: params::MIN_PROVIDER_STAKE.id,
        value: U256::from(200_000),
    });
    assert_eq!(
        w.registry
            .sender(p)
            .admin
            .parameter(params::MIN_PROVIDER_STAKE.id),
        U256::from(200_000)
    );
    assert!(matches!(
        w.propose(p, a(2)).motsu_unwrap_err(),
        Error::InsufficientStake(_)
    ));

    let err = w
        .registry
        .sender(w.gov)
        .admin
        .set_role(9, a(5), true)
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::UnknownRole(_)));
    let err = w
        .registry
        .sender(w.gov)
        .admin
        .set_role(roles::MARKET, Address::ZERO, true)
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::ZeroAddress(_)));

    w.registry.sender(w.gov).admin.pause().motsu_unwrap();
    assert!(w.registry.sender(p).admin.paused());
    assert!(matches!(
        w.propose(p, a(2)).motsu_unwrap_err(),
        Error::EnforcedPause(_)
    ));
    assert!(matches!(
        w.registry.sender(w.gov).admin.pause().motsu_unwrap_err(),
        AdminError::EnforcedPause(_)
    ));
    assert!(matches!(
        w.registry.sender(p).admin.unpause().motsu_unwrap_err(),
        AdminError::Unauthorized(_)
    ));
    w.registry.sender(w.gov).admin.unpause().motsu_unwrap();
    assert!(matches!(
        w.registry.sender(w.gov).admin.unpause().motsu_unwrap_err(),
        AdminError::ExpectedPause(_)
    ));

    // Governance hands over; the old governor loses every power.
    let new_gov = a(0xA9);
    w.registry
        .sender(w.gov)
        .admin
        .set_role(roles::GOVERNANCE, new_gov, true)
        .motsu_unwrap();
    assert!(matches!(
        w.registry.sender(w.gov).admin.pause().motsu_unwrap_err(),
        AdminError::Unauthorized(_)
    ));
    w.registry.sender(new_gov).admin.pause().motsu_unwrap();
}

// ------------------------------------------------------------ INV-13

/// A call of a privileged function by someone who is not governance.
#[derive(Debug, Clone)]
enum Intrusion {
    Approve(u8),
    Reject(u8),
    Suspend(u8, bool),
    SetParameter(u8, u64),
    SetRole(u8, u8),
    Pause,
    Unpause,
    LeaseOpened(u8),
    LeaseClosed(u8, u8),
    RecordChallenge(u8, bool),
    /// A node acting on its own behalf (allowed, never approval).
    SelfMaintenance(u8, bool),
    SelfUpdate(u8),
    SelfDeactivate(u8),
    SelfPropose(u8),
}

const NODES: u8 = 3;

fn node(i: u8) -> Address {
    a(10 + i)
}

fn intrusion() -> impl Strategy<Value = Intrusion> {
    let n = 0..NODES;
    prop_oneof![
        n.clone().prop_map(Intrusion::Approve),
        n.clone().prop_map(Intrusion::Reject),
        (n.clone(), any::<bool>()).prop_map(|(i, s)| Intrusion::Suspend(i, s)),
        (0u8..params::COUNT as u8, 0u64..1_000_000)
            .prop_map(|(i, v)| Intrusion::SetParameter(i, v)),
        (0u8..5, n.clone()).prop_map(|(r, i)| Intrusion::SetRole(r, i)),
        Just(Intrusion::Pause),
        Just(Intrusion::Unpause),
        n.clone().prop_map(Intrusion::LeaseOpened),
        (n.clone(), 0u8..3).prop_map(|(i, c)| Intrusion::LeaseClosed(i, c)),
        (n.clone(), any::<bool>()).prop_map(|(i, l)| Intrusion::RecordChallenge(i, l)),
        (n.clone(), any::<bool>()).prop_map(|(i, m)| Intrusion::SelfMaintenance(i, m)),
        n.clone().prop_map(Intrusion::SelfUpdate),
        n.clone().prop_map(Intrusion::SelfDeactivate),
        n.prop_map(Intrusion::SelfPropose),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    /// INV-13: no sequence of calls by accounts other than governance —
    /// nodes, the market, the challenges contract, strangers — approves a
    /// provider, changes a parameter or a role, or pauses; each privileged
    /// call is refused with `Unauthorized`.
    #[test]
    fn no_one_but_governance_approves_or_configures(
        calls in proptest::collection::vec((intrusion(), 0u8..4), 1..30)
    ) {
        let stakes: Vec<_> = (0..NODES).map(|i| (node(i), 100_000)).collect();
        let w = world(&stakes);
        for i in 0..NODES {
            w.propose(node(i), a(2)).motsu_unwrap();
        }
        let params_before: Vec<_> = (0..params::COUNT as u8).map(|id| w.registry.sender(a(1)).admin.parameter(id)).collect();
        let admin = |r: &Contract<Registry>| {
            let a = r.sender(a(1));
            let holders: Vec<_> = roles::ALL.iter().map(|role| a.admin.holder(role.id)).collect();
            (holders, a.admin.paused())
        };
        let config_before = admin(&w.registry);
        for (call, who) in calls {
            // Callers: a node, the market, the challenges contract, a stranger.
            let caller = [node(0), w.market, w.challenges, a(0x99)][usize::from(who)];
            let mut r = w.registry.sender(caller);
            let privileged = match call {
                Intrusion::Approve(i) => Some(r.approve_provider(node(i), word(&hopper())).motsu_res()),
                Intrusion::Reject(i) => Some(r.reject_provider(node(i)).motsu_res()),
                Intrusion::Suspend(i, s) => Some(r.set_suspended(node(i), s).motsu_res()),
                Intrusion::SetParameter(id, v) => Some(r.admin.set_parameter(id, U256::from(v)).motsu_res().map_err(Error::from)),
                Intrusion::SetRole(role, i) => Some(r.admin.set_role(role, node(i), true).motsu_res().map_err(Error::from)),
                Intrusion::Pause => Some(r.admin.pause().motsu_res().map_err(Error::from)),
                Intrusion::Unpause => Some(r.admin.unpause().motsu_res().map_err(Error::from)),
                Intrusion::LeaseOpened(i) => {
                    let res = r.lease_opened(node(i)).motsu_res();
                    (caller != w.market).then_some(res)
                }
                Intrusion::LeaseClosed(i, c) => {
                    let res = r.lease_closed(node(i), c).motsu_res();
                    (caller != w.market).then_some(res)
                }
                Intrusion::RecordChallenge(i, l) => {
                    let res = r.record_challenge(node(i), l).motsu_res();
                    (caller != w.challenges).then_some(res)
                }
                Intrusion::SelfMaintenance(i, m) => {
                    let _ = w.registry.sender(node(i)).set_maintenance(m).motsu_res();
                    None
                }
                Intrusion::SelfUpdate(i) => {
                    let _ = w.registry.sender(node(i)).update_hardware(word(&laptop())).motsu_res();
                    None
                }
                Intrusion::SelfDeactivate(i) => {
                    let _ = w.registry.sender(node(i)).deactivate().motsu_res();
                    None
                }
                Intrusion::SelfPropose(i) => {
                    let _ = w.propose(node(i), a(2)).motsu_res();
                    None
                }
            };
            if let Some(res) = privileged {
                prop_assert!(matches!(res, Err(Error::Unauthorized(_))), "{call:?} by {caller}: {res:?}");
            }
            for i in 0..NODES {
                let s = w.state(node(i));
                prop_assert!(!s.in_good_standing() && s != State::Suspended, "node {i} reached {s:?} without governance");
                prop_assert_eq!(w.registry.sender(a(1)).node_of(node(i)).pendingHardware, U256::ZERO);
            }
        }
        let params_after: Vec<_> = (0..params::COUNT as u8).map(|id| w.registry.sender(a(1)).admin.parameter(id)).collect();
        prop_assert_eq!(params_before, params_after);
        prop_assert_eq!(config_before, admin(&w.registry));
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------- findings
// Regression tests of audits/findings.md: each replays its attack through
// the entry points.

/// A hopper spec with more GPUs than were reviewed.
fn inflated() -> Hardware {
    Hardware {
        gpu_count: 64,
        ..hopper()
    }
}

/// F-03 (a): the spec under review is swapped during the timelock; the
/// approval must apply only what it names.
#[motsu::test]
fn f03_an_approval_applies_only_the_reviewed_update() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    w.active_provider(p, a(2));
    let modest = Hardware {
        gpu_count: 4,
        ..hopper()
    };
    w.registry
        .sender(p)
        .update_hardware(word(&modest))
        .motsu_unwrap();
    // Governance reviews `modest` and votes; the node swaps it.
    w.registry
        .sender(p)
        .update_hardware(word(&inflated()))
        .motsu_unwrap();
    let err = w
        .registry
        .sender(w.gov)
        .approve_provider(p, word(&modest))
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::HardwareMismatch(HardwareMismatch { underReview, .. }) if underReview == word(&inflated()))
    );
    assert_ne!(w.registry.sender(p).node_of(p).hardware, word(&inflated()));
}

/// F-03 (b): a Proposed node re-proposes an inflated spec before the
/// approval of its first proposal executes.
#[motsu::test]
fn f03_an_approval_applies_only_the_reviewed_proposal() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    w.propose(p, a(2)).motsu_unwrap();
    w.registry.sender(p).deactivate().motsu_unwrap();
    w.registry
        .sender(p)
        .propose_provider(word(&inflated()), ENDPOINT.into(), TLS, a(2))
        .motsu_unwrap();
    let err = w
        .registry
        .sender(w.gov)
        .approve_provider(p, word(&hopper()))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::HardwareMismatch(_)));
    assert_ne!(w.state(p), State::Active);
}

/// F-06: a suspended node leaves and registers as a Fizz node to be
/// Active again without governance.
#[motsu::test]
fn f06_suspension_cannot_be_escaped() {
    let (p, f) = (a(1), a(3));
    let w = world(&[(p, 100_000), (f, 1_000)]);
    w.active_provider(p, a(2));
    w.registry
        .sender(f)
        .register_fizz(word(&laptop()), a(6), p)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .set_suspended(f, true)
        .motsu_unwrap();
    let _ = w.registry.sender(f).deactivate().motsu_res();
    let _ = w.registry.sender(p).drop_fizz(f).motsu_res();
    let _ = w
        .registry
        .sender(f)
        .register_fizz(word(&laptop()), a(6), p)
        .motsu_res();
    assert_eq!(w.state(f), State::Suspended);
}

/// F-17: a gateway drops its Fizz node while a lease of it is open.
#[motsu::test]
fn f17_a_fizz_node_with_open_leases_cannot_be_dropped() {
    let (p, f) = (a(1), a(3));
    let w = world(&[(p, 100_000), (f, 1_000)]);
    w.active_provider(p, a(2));
    w.registry
        .sender(f)
        .register_fizz(word(&laptop()), a(6), p)
        .motsu_unwrap();
    w.registry.sender(w.market).lease_opened(f).motsu_unwrap();
    let err = w.registry.sender(p).drop_fizz(f).motsu_unwrap_err();
    assert!(matches!(err, Error::LeasesOutstanding(_)), "{err:?}");
    assert_eq!(w.state(f), State::Active);
}

/// F-04 (registry side): a pause never stops a node from committing its
/// probe or going into maintenance (or it would miss a deadline).
#[motsu::test]
fn f04_a_pause_never_stops_probes_or_maintenance() {
    let p = a(1);
    let key = Account::from_seed("f04-probe-key");
    let w = world(&[(p, 100_000)]);
    w.active_provider(p, key.address());
    w.registry.sender(w.gov).admin.pause().motsu_unwrap();
    let signed = w.signed(&key, p, &measured(&hopper(), 10), 0, 0);
    w.commit(a(9), p, signed).motsu_unwrap();
    w.registry.sender(p).set_maintenance(true).motsu_unwrap();
    w.registry.sender(p).set_maintenance(false).motsu_unwrap();
}

/// F-05: a node takes a lease while Active, then enters Maintenance for
/// the whole lease (no challenge, no audit, still paid).
#[motsu::test]
fn f05_no_maintenance_while_a_lease_is_open() {
    let p = a(1);
    let w = world(&[(p, 100_000)]);
    w.active_provider(p, a(2));
    w.registry.sender(w.market).lease_opened(p).motsu_unwrap();
    let err = w
        .registry
        .sender(p)
        .set_maintenance(true)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::LeasesOutstanding(_)), "{err:?}");
    assert_eq!(w.state(p), State::Active);
    w.registry
        .sender(w.market)
        .lease_closed(p, 1)
        .motsu_unwrap();
    w.registry.sender(p).set_maintenance(true).motsu_unwrap();
}

/// F-26: a jailed node kept its tier, and a Provider node's penalties
/// pushed it into the Fizz tiers.
#[motsu::test]
fn f26_a_jailed_node_is_untrusted_and_providers_stay_providers() {
    let p = a(1);
    let key = Account::from_seed("probe-f26");
    let w = world(&[(p, 10_000)]);
    w.active_provider(p, key.address());
    w.commit(p, p, w.signed(&key, p, &measured(&hopper(), 0), 0, 0))
        .motsu_unwrap();
    assert_eq!(w.tier(p), 4);
    for _ in 0..3 {
        w.registry
            .sender(w.challenges)
            .record_challenge(p, true)
            .motsu_unwrap();
    }
    assert_eq!(w.tier(p), 4, "three losses: still the lowest Provider tier");
    let challenges = a(0xC4);
    w.staking
        .sender(w.gov)
        .admin
        .set_role(spon_staking::roles::CHALLENGES, challenges, true)
        .motsu_unwrap();
    w.staking
        .sender(challenges)
        .open_offence(p, U256::from(1))
        .motsu_unwrap();
    w.staking
        .sender(challenges)
        .slash(p, 100, U256::from(1), a(9), 0)
        .motsu_unwrap();
    assert!(w.staking.sender(p).is_jailed(p));
    assert_eq!(w.tier(p), spon_node::UNTRUSTED, "jailed");
}
