//! Fixed-width fields in a 256-bit big-endian word (an ABI `uint256`).
//!
//! Field offsets are in bits from the least significant end, and both the
//! offset and the width are whole bytes, so a field is a run of bytes of
//! the big-endian representation.

/// A 256-bit word, big-endian, as it is in calldata and in a storage slot.
pub type Word = [u8; 32];

/// Reads the `width`-bit field at bit `offset` (both multiples of 8,
/// `width` ≤ 64).
pub const fn get(word: &Word, offset: u32, width: u32) -> u64 {
    let mut value = 0u64;
    let mut i = 0;
    while i < width / 8 {
        // Byte `k` from the least significant end is word[31 - k].
        let k = (offset / 8 + width / 8 - 1 - i) as usize;
        value = (value << 8) | word[31 - k] as u64;
        i += 1;
    }
    value
}

/// Writes the low `width` bits of `value` into the field at bit `offset`.
pub fn set(word: &mut Word, offset: u32, width: u32, value: u64) {
    for i in 0..width / 8 {
        let k = (offset / 8 + i) as usize;
        word[31 - k] = (value >> (8 * i)) as u8;
    }
}

/// Whether every bit at or above bit `from` is zero.
pub fn high_bits_clear(word: &Word, from: u32) -> bool {
    word[..32 - (from / 8) as usize].iter().all(|b| *b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_at_their_byte_positions() {
        let mut w = [0u8; 32];
        set(&mut w, 0, 16, 0xBEEF);
        set(&mut w, 16, 32, 0x0102_0304);
        set(&mut w, 240, 16, 0xA1B2);
        assert_eq!(get(&w, 0, 16), 0xBEEF);
        assert_eq!(get(&w, 16, 32), 0x0102_0304);
        assert_eq!(get(&w, 240, 16), 0xA1B2);
        assert_eq!(&w[30..], &[0xBE, 0xEF]);
        assert_eq!(&w[26..30], &[1, 2, 3, 4]);
        assert_eq!(&w[..2], &[0xA1, 0xB2]);
        assert!(!high_bits_clear(&w, 224));
        set(&mut w, 240, 16, 0);
        assert!(high_bits_clear(&w, 224));
    }
}
