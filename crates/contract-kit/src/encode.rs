//! Compact revert data and logs for the errors and events that
//! [`sol_abi!`](crate::sol_abi) declares.
//!
//! alloy's ABI encoder is generic: each error and event type gets its own
//! copy of it in the contract's code. Most of ours have only parameters
//! that are one word each (`address`, `bool`, `uintN`, `bytesN`); their
//! encoding is the selector (or topic 0) followed by one word per
//! parameter, which [`revert_words`] and [`log_words`] write once for all
//! of them. (The few with `bytes` or `string` keep alloy's encoder: a
//! shared encoder of dynamic parameters measured no smaller.) The tests below check every kind of word, and each contract's
//! tests check its logs through motsu against alloy's encoding.

pub use alloc::vec::Vec;

use alloy_primitives::{Address, FixedBytes, Uint, B256};
use stylus_sdk::stylus_core::Host;

/// A value that the ABI encodes as one 32-byte word.
pub trait Word {
    /// The word.
    fn word(&self) -> B256;
}

macro_rules! word_uint {
    ($($t:ty),*) => {$(
        impl Word for $t {
            fn word(&self) -> B256 {
                let mut w = [0u8; 32];
                w[32 - core::mem::size_of::<$t>()..].copy_from_slice(&self.to_be_bytes());
                B256::new(w)
            }
        }
    )*};
}
word_uint!(u8, u16, u32, u64, u128);

impl<const BITS: usize, const LIMBS: usize> Word for Uint<BITS, LIMBS> {
    fn word(&self) -> B256 {
        B256::new(alloy_primitives::U256::from(*self).to_be_bytes())
    }
}

impl Word for bool {
    fn word(&self) -> B256 {
        u8::from(*self).word()
    }
}

impl Word for Address {
    fn word(&self) -> B256 {
        self.into_word()
    }
}

/// `bytesN`: left-aligned.
impl<const N: usize> Word for FixedBytes<N> {
    fn word(&self) -> B256 {
        let mut w = [0u8; 32];
        w[..N].copy_from_slice(self.as_slice());
        B256::new(w)
    }
}

/// A value that the ABI encodes as one word, read back from it.
pub trait FromWord: Sized {
    /// The value, if `w` is its canonical encoding (high bytes of a small
    /// integer or an address zero, the unused bytes of a `bytesN` zero), as
    /// alloy's validating decoder requires, and a `bool` 0 or 1, as
    /// Solidity's does.
    fn from_word(w: &[u8]) -> Option<Self>;
}

/// The last `keep` bytes of the word `w` if all bytes before them are zero.
fn low(w: &[u8], keep: usize) -> Option<&[u8]> {
    let (high, low) = w.split_at(w.len().checked_sub(keep)?);
    high.iter().all(|b| *b == 0).then_some(low)
}

macro_rules! from_word_uint {
    ($($t:ty),*) => {$(
        impl FromWord for $t {
            fn from_word(w: &[u8]) -> Option<Self> {
                Some(<$t>::from_be_bytes(low(w, core::mem::size_of::<$t>())?.try_into().ok()?))
            }
        }
    )*};
}
from_word_uint!(u8, u16, u32, u64, u128);

impl<const BITS: usize, const LIMBS: usize> FromWord for Uint<BITS, LIMBS> {
    fn from_word(w: &[u8]) -> Option<Self> {
        Uint::try_from_be_slice(w)
    }
}

impl FromWord for bool {
    fn from_word(w: &[u8]) -> Option<Self> {
        match u8::from_word(w)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl FromWord for Address {
    fn from_word(w: &[u8]) -> Option<Self> {
        Some(Address::from_slice(low(w, 20)?))
    }
}

/// `bytesN`: left-aligned.
impl<const N: usize> FromWord for FixedBytes<N> {
    fn from_word(w: &[u8]) -> Option<Self> {
        (w.len() == 32 && w[N..].iter().all(|b| *b == 0)).then(|| FixedBytes::from_slice(&w[..N]))
    }
}

/// Word `i` of `data`, if `data` is exactly `count` words and that word is
/// the canonical encoding of a `T`: how a call's result of word types is
/// read back.
pub fn word_at<T: FromWord>(data: &[u8], count: usize, i: usize) -> Option<T> {
    if data.len() != 32 * count {
        return None;
    }
    T::from_word(data.get(32 * i..32 * i + 32)?)
}

/// Reads an entry point's arguments in order, accepting exactly what
/// alloy's validating decoder accepts (which re-encodes what it decoded
/// and requires the same bytes), except that a `bool` must be 0 or 1 as
/// Solidity's decoder requires (alloy 0.8 reads any non-zero last byte as
/// true): words checked by [`FromWord`]; `bytes`,
/// `string` (UTF-8), arrays of words and `bytes[]` at exactly the offsets
/// the canonical encoding puts them, zero-padded, with nothing after the
/// last. `#[entry_points]` reads every argument list of these types with
/// it; `tests::args_accept_what_alloy_accepts` checks the equivalence.
pub struct Args<'a> {
    data: &'a [u8],
    /// Where the next dynamic argument must start.
    tail: usize,
}

impl<'a> Args<'a> {
    /// Arguments `data` of `heads` head words (one per argument).
    pub fn new(data: &'a [u8], heads: usize) -> Self {
        Args {
            data,
            tail: 32 * heads,
        }
    }

    /// The word at byte `at`.
    fn word_at_byte(&self, at: usize) -> Option<&'a [u8]> {
        self.data.get(at..at.checked_add(32)?)
    }

    /// A small integer word at byte `at` (an offset or a length).
    fn usize_at(&self, at: usize) -> Option<usize> {
        usize::try_from(u32::from_word(self.word_at_byte(at)?)?).ok()
    }

    /// Argument `i`, a word.
    pub fn word<T: FromWord>(&self, i: usize) -> Option<T> {
        T::from_word(self.word_at_byte(32 * i)?)
    }

    /// Argument `i`'s data, which must start at the next tail position.
    fn dynamic(&mut self, i: usize) -> Option<usize> {
        (self.usize_at(32 * i)? == self.tail).then_some(self.tail)
    }

    /// The padded byte string at byte `at`; the byte after its padding.
    fn bytes_at(&self, at: usize) -> Option<(&'a [u8], usize)> {
        let len = self.usize_at(at)?;
        let start = at + 32;
        let padded = len.checked_add(31)? / 32 * 32;
        let end = start.checked_add(padded)?;
        let all = self.data.get(start..end)?;
        let (bytes, pad) = all.split_at(len);
        pad.iter().all(|b| *b == 0).then_some((bytes, end))
    }

    /// Argument `i`, `bytes`.
    pub fn bytes(&mut self, i: usize) -> Option<&'a [u8]> {
        let at = self.dynamic(i)?;
        let (bytes, end) = self.bytes_at(at)?;
        self.tail = end;
        Some(bytes)
    }

    /// Argument `i`, `string`.
    pub fn string(&mut self, i: usize) -> Option<alloc::string::String> {
        let bytes = self.bytes(i)?;
        core::str::from_utf8(bytes).ok().map(Into::into)
    }

    /// Argument `i`, an array of words.
    pub fn words<T: FromWord>(&mut self, i: usize) -> Option<Vec<T>> {
        let at = self.dynamic(i)?;
        let n = self.usize_at(at)?;
        let end = n.checked_mul(32)?.checked_add(at + 32)?;
        if end > self.data.len() {
            return None;
        }
        let out = (0..n)
            .map(|k| T::from_word(self.word_at_byte(at + 32 + 32 * k)?))
            .collect::<Option<Vec<T>>>()?;
        self.tail = end;
        Some(out)
    }

    /// Argument `i`, `bytes[]`.
    pub fn bytes_array(&mut self, i: usize) -> Option<Vec<&'a [u8]>> {
        let at = self.dynamic(i)?;
        let n = self.usize_at(at)?;
        let base = at + 32;
        let mut next = n.checked_mul(32)?;
        if base.checked_add(next)? > self.data.len() {
            return None;
        }
        let mut out = Vec::with_capacity(n);
        for k in 0..n {
            if self.usize_at(base + 32 * k)? != next {
                return None;
            }
            let (bytes, end) = self.bytes_at(base + next)?;
            next = end - base;
            out.push(bytes);
        }
        self.tail = base + next;
        Some(out)
    }

    /// Whether nothing follows the last argument read.
    pub fn finish(&self) -> Option<()> {
        (self.tail == self.data.len()).then_some(())
    }
}

/// What an entry point returns, as its return data (or, for an `Err`,
/// its revert data): one word for a word type, nothing for `()`, the
/// fields' words for a `sol_abi!` struct of word types (its ABI encoding,
/// a static tuple), alloy's encoding for any other `sol_abi!` struct.
pub trait Output {
    /// The encoding.
    fn output(self) -> stylus_sdk::ArbResult;
}

impl Output for () {
    fn output(self) -> stylus_sdk::ArbResult {
        Ok(Vec::new())
    }
}

/// The return data of one word.
pub fn word_output(w: B256) -> stylus_sdk::ArbResult {
    Ok(w.to_vec())
}

macro_rules! output_word {
    ($($t:ty),*) => {$(
        impl Output for $t {
            fn output(self) -> stylus_sdk::ArbResult {
                word_output(self.word())
            }
        }
    )*};
}
output_word!(u8, u16, u32, u64, u128, bool, Address);

impl<const BITS: usize, const LIMBS: usize> Output for Uint<BITS, LIMBS> {
    fn output(self) -> stylus_sdk::ArbResult {
        word_output(self.word())
    }
}

impl<const N: usize> Output for FixedBytes<N> {
    fn output(self) -> stylus_sdk::ArbResult {
        word_output(self.word())
    }
}

impl<T: Output, E: Into<Vec<u8>>> Output for Result<T, E> {
    fn output(self) -> stylus_sdk::ArbResult {
        match self {
            Ok(v) => v.output(),
            Err(e) => Err(e.into()),
        }
    }
}

/// The return data of a struct of word fields: their words.
pub fn words_output(words: &[B256]) -> stylus_sdk::ArbResult {
    Ok(concat(&[], words))
}

/// An error's revert data.
pub trait Revert {
    /// Its selector and ABI-encoded parameters.
    fn revert_data(&self) -> Vec<u8>;
}

/// An event that can be logged.
pub trait Emit {
    /// Logs it (topic 0 its signature hash, then its indexed parameters).
    fn emit(&self, vm: &dyn Host);
}

/// `selector` followed by `words`: an error whose parameters are all
/// words, or a call whose arguments are.
pub fn revert_words(selector: [u8; 4], words: &[B256]) -> Vec<u8> {
    concat(&selector, words)
}

/// `prefix` followed by `words`.
fn concat(prefix: &[u8], words: &[B256]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix.len() + 32 * words.len());
    out.extend_from_slice(prefix);
    for w in words {
        out.extend_from_slice(w.as_slice());
    }
    out
}

/// Logs `topics` (at most four) with `data` words.
pub fn log_words(vm: &dyn Host, topics: &[B256], data: &[B256]) {
    let mut bytes = Vec::with_capacity(32 * (topics.len() + data.len()));
    for w in topics.iter().chain(data) {
        bytes.extend_from_slice(w.as_slice());
    }
    vm.emit_log(&bytes, topics.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, fixed_bytes, U256};
    use alloy_sol_types::{SolError, SolEvent};

    crate::sol_abi! {
        #[derive(Debug, PartialEq)]
        error Words(address a, bool b, uint8 c, uint16 d, uint24 e, uint64 f, uint128 g, uint256 h, bytes4 i, bytes32 j);
        #[derive(Debug, PartialEq)]
        error NoWords();
        #[derive(Debug, PartialEq)]
        error Dynamic(uint64 id, bytes reason);
        #[derive(Debug, PartialEq)]
        error Strings(string a, uint8 b, bytes c, string d);
        #[derive(Debug, PartialEq)]
        event WithBytes(address indexed who, bytes data, uint64 n, string note);
        #[derive(Debug, PartialEq)]
        event Logged(uint64 indexed id, address indexed who, bytes4 selector, uint256 amount, bool on);
    }

    fn words() -> Words {
        Words {
            a: address!("00000000000000000000000000000000000000ff"),
            b: true,
            c: 0xab,
            d: 0xabcd,
            e: Uint::from(0xabcdefu32),
            f: u64::MAX - 1,
            g: u128::MAX - 2,
            h: U256::MAX - U256::from(3),
            i: fixed_bytes!("12345678"),
            j: B256::repeat_byte(0x5a),
        }
    }

    #[test]
    fn revert_data_is_alloys_encoding() {
        assert_eq!(words().revert_data(), words().abi_encode());
        assert_eq!(NoWords {}.revert_data(), NoWords {}.abi_encode());
        let d = Dynamic {
            id: 7,
            reason: vec![1, 2, 3].into(),
        };
        assert_eq!(d.revert_data(), d.abi_encode());
        for (a, c, d) in [
            ("", 0, ""),
            ("x", 31, "y"),
            (&"z".repeat(32)[..], 32, &"w".repeat(65)[..]),
        ] {
            let e = Strings {
                a: a.into(),
                b: 1,
                c: vec![7; c].into(),
                d: d.into(),
            };
            assert_eq!(e.revert_data(), e.abi_encode());
        }
    }

    #[test]
    fn events_are_declared_once() {
        assert_eq!(
            EVENTS,
            [
                "event WithBytes(address indexed who, bytes data, uint64 n, string note)",
                "event Logged(uint64 indexed id, address indexed who, bytes4 selector, uint256 amount, bool on)"
            ]
        );
        assert_eq!(
            stylus_artifact::event_signature(EVENTS[1]).unwrap(),
            Logged::SIGNATURE
        );
    }

    /// Whether `topics` and `data` are the log of `human` (an event in
    /// human-readable ABI) for parameters `words` in declaration order:
    /// the check an off-chain decoder of the JSON ABI makes.
    fn decodes_as(human: &str, words: &[B256], topics: &[B256], data: &[u8]) -> bool {
        let event = alloy_json_abi::Event::parse(human).unwrap();
        let (mut t, mut d) = (1, 0);
        let mut ok = topics.first() == Some(&event.selector());
        for (input, w) in event.inputs.iter().zip(words) {
            if input.indexed {
                ok &= topics.get(t) == Some(w);
                t += 1;
            } else {
                ok &= data.get(32 * d..32 * d + 32) == Some(w.as_slice());
                d += 1;
            }
        }
        ok && t == topics.len() && 32 * d == data.len()
    }

    #[test]
    fn logs_are_alloys_encoding_and_their_declaration() {
        let event = Logged {
            id: 9,
            who: address!("00000000000000000000000000000000000000ee"),
            selector: fixed_bytes!("a1b2c3d4"),
            amount: U256::from(12345),
            on: true,
        };
        let with_bytes = WithBytes {
            who: Address::repeat_byte(3),
            data: vec![9; 33].into(),
            n: 5,
            note: "a note".into(),
        };
        let vm = stylus_sdk::testing::TestVM::new();
        event.emit(&vm);
        with_bytes.emit(&vm);
        let expected = [event.encode_log_data(), with_bytes.encode_log_data()];
        let logs = vm.get_emitted_logs();
        assert_eq!(
            logs,
            expected.map(|e| (e.topics().to_vec(), e.data.to_vec()))
        );

        // The declaration exported as ABI decodes the emitted log; one with
        // `indexed` on another parameter does not.
        let words = [
            event.id.word(),
            event.who.word(),
            event.selector.word(),
            event.amount.word(),
            event.on.word(),
        ];
        let (topics, data) = &logs[0];
        assert!(decodes_as(EVENTS[1], &words, topics, data));
        let moved = "event Logged(uint64 indexed id, address who, bytes4 indexed selector, uint256 amount, bool on)";
        assert_eq!(
            stylus_artifact::event_signature(moved).unwrap(),
            Logged::SIGNATURE,
            "types alone cannot tell"
        );
        assert!(!decodes_as(moved, &words, topics, data));
        let dropped = "event Logged(uint64 indexed id, address who, bytes4 selector, uint256 amount, bool on)";
        assert!(!decodes_as(dropped, &words, topics, data));
    }

    mod args {
        use super::*;
        use alloy_primitives::Bytes;
        use alloy_sol_types::{sol_data, SolType};
        use proptest::prelude::*;

        type Proposal = (
            sol_data::Array<sol_data::Address>,
            sol_data::Array<sol_data::Uint<256>>,
            sol_data::Array<sol_data::Bytes>,
            sol_data::FixedBytes<32>,
        );
        type ProposalValue = (Vec<Address>, Vec<U256>, Vec<Bytes>, B256);

        fn proposal(data: &[u8]) -> Option<ProposalValue> {
            let mut a = Args::new(data, 4);
            let targets = a.words(0)?;
            let values = a.words(1)?;
            let calldatas = a
                .bytes_array(2)?
                .into_iter()
                .map(Bytes::copy_from_slice)
                .collect();
            let hash = a.word(3)?;
            a.finish()?;
            Some((targets, values, calldatas, hash))
        }

        type Endpoint = (
            sol_data::Uint<64>,
            sol_data::String,
            sol_data::Bytes,
            sol_data::Bool,
        );
        type EndpointValue = (u64, String, Bytes, bool);

        fn endpoint(data: &[u8]) -> Option<EndpointValue> {
            let mut a = Args::new(data, 4);
            let id = a.word(0)?;
            let uri = a.string(1)?;
            let raw = Bytes::copy_from_slice(a.bytes(2)?);
            let on = a.word(3)?;
            a.finish()?;
            Some((id, uri, raw, on))
        }

        /// One change to an encoding: a byte set, bytes cut or added.
        #[derive(Debug, Clone)]
        enum Change {
            Set(usize, u8),
            Truncate(usize),
            Extend(Vec<u8>),
        }

        fn change() -> impl Strategy<Value = Change> {
            prop_oneof![
                (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Change::Set(i, b)),
                (1usize..64).prop_map(Change::Truncate),
                prop::collection::vec(any::<u8>(), 1..40).prop_map(Change::Extend),
            ]
        }

        fn apply(mut data: Vec<u8>, c: &Change) -> Vec<u8> {
            match c {
                Change::Set(i, b) if !data.is_empty() => {
                    let n = data.len();
                    data[i % n] = *b;
                }
                Change::Set(..) => {}
                Change::Truncate(k) => data.truncate(data.len().saturating_sub(*k)),
                Change::Extend(more) => data.extend(more),
            }
            data
        }

        fn small_bytes() -> impl Strategy<Value = Vec<u8>> {
            prop::collection::vec(any::<u8>(), 0..70)
        }

        proptest! {
            /// Args decodes what alloy encodes, and after any change to
            /// the bytes accepts exactly what alloy's validating decoder
            /// accepts, with the same values.
            #[test]
            fn args_accept_what_alloy_accepts(
                targets in prop::collection::vec(any::<[u8; 20]>(), 0..4),
                values in prop::collection::vec(any::<[u64; 4]>(), 0..4),
                calldatas in prop::collection::vec(small_bytes(), 0..4),
                hash in any::<[u8; 32]>(),
                id in any::<u64>(),
                uri in ".{0,40}",
                raw in small_bytes(),
                on in any::<bool>(),
                changes in prop::collection::vec(change(), 1..4),
            ) {
                let p: ProposalValue = (
                    targets.into_iter().map(Address::from).collect(),
                    values.into_iter().map(U256::from_limbs).collect(),
                    calldatas.into_iter().map(Bytes::from).collect(),
                    B256::from(hash),
                );
                let data = Proposal::abi_encode_params(&p);
                prop_assert_eq!(proposal(&data), Some(p));
                let e: EndpointValue = (id, uri, raw.into(), on);
                let edata = Endpoint::abi_encode_params(&e);
                prop_assert_eq!(endpoint(&edata), Some(e));
                let (mut data, mut edata) = (data, edata);
                for c in &changes {
                    data = apply(data, c);
                    edata = apply(edata, c);
                    let alloy = Proposal::abi_decode_params(&data, true).ok();
                    prop_assert_eq!(proposal(&data), alloy);
                    // A bool must be 0 or 1 (as Solidity's decoder requires);
                    // alloy 0.8 reads any non-zero last byte as true.
                    let bool_word = edata.get(3 * 32..4 * 32).unwrap_or_default();
                    let canonical = bool_word.len() == 32 && bool_word[31] <= 1;
                    let alloy = Endpoint::abi_decode_params(&edata, true)
                        .ok()
                        .filter(|_| canonical);
                    prop_assert_eq!(endpoint(&edata), alloy);
                }
            }
        }

        #[test]
        fn args_refuse_a_second_encoding_of_the_same_values() {
            // The same bytes[] with its element offsets swapped decodes in
            // a lenient decoder; neither alloy nor Args accepts it.
            let calls = vec![Bytes::from(vec![1]), Bytes::from(vec![2, 3])];
            let p: ProposalValue = (vec![], vec![], calls, B256::ZERO);
            let mut data = Proposal::abi_encode_params(&p);
            // Heads (4 words), two empty arrays (a length word each), then
            // bytes[]: its length at word 6, element offsets at 7 and 8.
            let (first, second) = (7 * 32, 8 * 32);
            let a: [u8; 32] = data[first..first + 32].try_into().unwrap();
            let b: [u8; 32] = data[second..second + 32].try_into().unwrap();
            data[first..first + 32].copy_from_slice(&b);
            data[second..second + 32].copy_from_slice(&a);
            assert!(Proposal::abi_decode_params(&data, true).is_err());
            assert_eq!(proposal(&data), None);
        }
    }
}
