/// One line of the report: our measurement, its baseline from the same run, their ratio and the goal.
struct Figure: Codable {
    /// A measured quantity.
    struct Measure: Codable {
        var label: String
        var value: Double
        var unit: String
    }

    /// A bound on the ratio: `<=` or `>=` a limit.
    struct Goal: Codable {
        var comparison: String
        var limit: Double

        static func atMost(_ limit: Double) -> Goal { Goal(comparison: "<=", limit: limit) }
        static func atLeast(_ limit: Double) -> Goal { Goal(comparison: ">=", limit: limit) }

        func isMet(by ratio: Double) -> Bool { comparison == "<=" ? ratio <= limit : ratio >= limit }
    }

    var id: String
    var title: String
    var ours: Measure
    var baseline: Measure
    /// `ours / baseline`.
    var ratio: Double
    /// `nil`: reported, no goal.
    var goal: Goal?
    var met: Bool?
    /// How it was measured (sample counts, what is included).
    var note: String

    init(id: String, title: String, ours: Measure, baseline: Measure, goal: Goal?, note: String) {
        self.id = id
        self.title = title
        self.ours = ours
        self.baseline = baseline
        let ratio = baseline.value == 0 ? .nan : ours.value / baseline.value
        self.ratio = ratio
        self.goal = goal
        met = goal.map { $0.isMet(by: ratio) }
        self.note = note
    }
}

/// Everything one run measured, and what it skipped.
struct BenchResults: Codable {
    var figures: [Figure] = []
    /// Scenarios that did not run, with the reason.
    var skipped: [String] = []

    mutating func add(_ figure: Figure) {
        figures.append(figure)
        Log.line(Report.row(figure))
    }

    mutating func skip(_ scenario: String, _ reason: String) {
        skipped.append("\(scenario): \(reason)")
        Log.line("skipped \(scenario): \(reason)")
    }
}
