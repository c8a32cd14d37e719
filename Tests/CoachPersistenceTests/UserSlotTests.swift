import Testing
@testable import CoachPersistence

/// The slot's worker state: at most one worker per user at a time, whether it is a caller
/// running one operation inline or the user's queue draining the inbox. Two workers would each
/// take some of the requests, and the user's lock alone would not keep them in order.
@Suite("User slot worker state")
struct UserSlotTests {
    let slot = UserSlot(userID: "u", paths: UserPaths(layout: StoreLayout(root: "/nonexistent"), folder: "u"))

    func request() -> UserRequest {
        UserRequest { _, _ in { _ in } }
    }

    @Test("a caller runs inline only while no worker runs, and requests arriving meanwhile wait for it")
    func inlineExcludesOtherWorkers() {
        #expect(slot.beginInline())
        #expect(!slot.beginInline(), "a second inline worker while the first runs")
        #expect(!slot.submit(request()), "a queue worker started while an inline one runs")
        #expect(slot.continueDraining(), "the request that arrived meanwhile was left behind")
        #expect(!slot.beginInline(), "an inline worker overtook the queue worker that must take the waiting request")
        #expect(slot.takeRequests().count == 1)
        #expect(slot.takeRequests().isEmpty)
        #expect(slot.beginInline(), "the slot stayed busy after its worker stopped")
        #expect(!slot.continueDraining())
    }

    @Test("a queue worker excludes inline ones until it finds the inbox empty")
    func queueWorkerExcludesInline() {
        #expect(slot.submit(request()))
        #expect(!slot.beginInline())
        #expect(slot.takeRequests().count == 1)
        #expect(!slot.beginInline(), "inline while the queue worker is still running its round")
        #expect(slot.takeRequests().isEmpty)
        #expect(slot.beginInline())
    }
}
