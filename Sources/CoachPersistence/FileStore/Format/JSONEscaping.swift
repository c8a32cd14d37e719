/// The bytes a JSON string cannot hold as they are: control bytes (< 0x20), `"` and `\`. The
/// writer escapes them, and the reader ends a run of plain string bytes at them.
enum JSONEscaping {
    /// Whether `byte` must be escaped inside a JSON string.
    @inline(__always)
    static func mustEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Whether any of the eight bytes of `word` must be escaped: the classic "has a byte less
    /// than n" and "has a zero byte" word tests (Bit Twiddling Hacks). Each is exact about
    /// whether some byte matches, whatever the other bytes are, though not about which: a word
    /// it flags is then looked at byte by byte. Message text is long and rarely escaped, and a
    /// byte loop was the largest cost of writing and reading it.
    @inline(__always)
    static func wordHasByteToEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let hasControl = (word &- ones &* 0x20) & ~word & highs != 0
        return hasControl || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }
}
