/// A command that failed for a reason a person can act on: one sentence, exit status 1.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
