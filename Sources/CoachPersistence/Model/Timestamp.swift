import Foundation

/// Millisecond timestamps: how every `Date` in the model is normalized, written and read.
///
/// `Date` holds a `Double`, and no decimal text format round-trips every `Double` exactly while
/// staying readable. The model therefore keeps timestamps at whole milliseconds (normalized when a
/// value is set) and writes them as ISO 8601 UTC text with exactly three fraction digits,
/// `2026-11-22T10:00:00.123Z`. A normalized date survives encode → decode bit for bit, because
/// both directions go through the same integer millisecond count.
enum Timestamp {
    /// Whole milliseconds since 1970 for `date`, rounded to the nearest. Dates beyond ±71,000
    /// years (and non-finite ones) are clamped there rather than trapping: past that a `Date`
    /// cannot hold every millisecond exactly, and normalizing would not be a fixed point.
    static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms.isFinite else { return ms > 0 ? limit : -limit }
        return Int64(max(-Double(limit), min(Double(limit), ms)))
    }

    /// 2^51 milliseconds: within it, every whole millisecond survives `Date`'s conversions exactly.
    private static let limit: Int64 = 2_251_799_813_685_248

    /// The date exactly `milliseconds` after 1970, clamped like ``milliseconds(_:)`` so that a
    /// count read from a file means the same date before and after it is written again.
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(max(-limit, min(limit, milliseconds))) / 1000)
    }

    /// `date` rounded to the nearest millisecond; normalizing twice changes nothing.
    static func normalized(_ date: Date) -> Date {
        self.date(milliseconds: milliseconds(date))
    }

    /// ISO 8601 text for years 0000–9999; `nil` outside that range.
    static func text(milliseconds: Int64) -> String? {
        var bytes: [UInt8] = []
        guard appendText(milliseconds: milliseconds, to: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the 24 bytes of ``text(milliseconds:)`` to `bytes` (the journal writer's fast
    /// path); `false`, appending nothing, outside years 0000–9999.
    static func appendText(milliseconds: Int64, to bytes: inout [UInt8]) -> Bool {
        // Counts past the clamp are far outside the years text can hold, and near Int64.min the
        // day arithmetic below would overflow.
        guard (-limit...limit).contains(milliseconds) else { return false }
        let (days, msOfDay) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        guard (0...9999).contains(year) else { return false }
        let seconds = msOfDay / 1000
        // Filled in place and appended once: this runs for every message of every save.
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &text) { out in
            func put(_ value: Int64, _ width: Int, at offset: Int, then separator: UInt8) {
                var rest = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[index] = UInt8(48 + rest % 10)
                    rest /= 10
                }
                out[offset + width] = separator
            }
            put(year, 4, at: 0, then: UInt8(ascii: "-"))
            put(month, 2, at: 5, then: UInt8(ascii: "-"))
            put(day, 2, at: 8, then: UInt8(ascii: "T"))
            put(seconds / 3600, 2, at: 11, then: UInt8(ascii: ":"))
            put(seconds / 60 % 60, 2, at: 14, then: UInt8(ascii: ":"))
            put(seconds % 60, 2, at: 17, then: UInt8(ascii: "."))
            put(msOfDay % 1000, 3, at: 20, then: UInt8(ascii: "Z"))
        }
        withUnsafeBytes(of: &text) { bytes.append(contentsOf: $0) }
        return true
    }

    /// Parses exactly the form `text(milliseconds:)` writes; `nil` for anything else.
    static func milliseconds(text: String) -> Int64? {
        var text = text
        return text.withUTF8 { milliseconds(utf8: $0) }
    }

    /// ``milliseconds(text:)`` on the text's UTF-8 bytes, for the journal reader, which has
    /// them in hand and need not make a `String`.
    static func milliseconds(utf8 b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 24, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58,
              b[19] == 46, b[23] == 90 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range {
                guard (48...57).contains(b[i]) else { return nil }
                value = value * 10 + Int64(b[i] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16),
              let second = number(17..<19), let ms = number(20..<23),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        let days = daysSince1970(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month - 1)]
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilDate(daysSince1970 z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Coding for a normalized `Date`: ISO 8601 text, or a number of milliseconds since 1970 for
/// dates outside years 0000–9999.
struct MillisecondDate: Codable, Hashable, Sendable {
    let date: Date

    init(_ date: Date) { self.date = Timestamp.normalized(date) }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let ms = Timestamp.milliseconds(text: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not a timestamp of the form 2026-11-22T10:00:00.000Z")
            }
            date = Timestamp.date(milliseconds: ms)
        } else {
            date = Timestamp.date(milliseconds: try container.decode(Int64.self))
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        let ms = Timestamp.milliseconds(date)
        if let text = Timestamp.text(milliseconds: ms) {
            try container.encode(text)
        } else {
            try container.encode(ms)
        }
    }
}
