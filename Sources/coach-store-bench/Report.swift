import Foundation

/// The run's results as a table (standard output) and as JSON (a file).
enum Report {
    /// The JSON document.
    struct Document: Codable {
        var date: String
        var command: String
        var mode: String
        var machine: Machine
        var figures: [Figure]
        var skipped: [String]
    }

    /// One figure as a table row.
    static func row(_ f: Figure) -> String {
        let goal = f.goal.map { "\($0.comparison) \(number($0.limit))×" } ?? "report"
        let verdict = f.met.map { $0 ? "met" : "MISSED" } ?? ""
        return "| \(f.title) | \(measure(f.ours)) | \(measure(f.baseline)) | \(number(f.ratio))× | \(goal) | \(verdict) |"
    }

    /// The whole table, Markdown, with a header naming the machine and command.
    static func table(_ document: Document) -> String {
        var lines = [
            "coach-store-bench — \(document.date) — \(document.mode) mode",
            "machine: \(document.machine.summary)",
            "command: \(document.command)",
            "",
            "| figure | ours | baseline (same run) | ratio | goal | |",
            "|---|---|---|---|---|---|",
        ]
        lines += document.figures.map(row)
        if !document.skipped.isEmpty {
            lines += [""] + document.skipped.map { "skipped: \($0)" }
        }
        lines += ["", "notes:"] + document.figures.map { "- \($0.id): \($0.note)" }
        return lines.joined(separator: "\n")
    }

    static func writeJSON(_ document: Document, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(document).write(to: URL(fileURLWithPath: path))
    }

    private static func measure(_ m: Figure.Measure) -> String {
        "\(m.label): \(number(m.value))\(m.unit == "×" ? "" : " ")\(m.unit)"
    }

    /// Three significant digits, no exponent.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        return String(format: "%.\(decimals)f", value)
    }
}
