#include "heap/fault_dispatcher.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "heap/heap.h"

namespace clemmys::heap {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

// Runs `body` in a forked child and returns its wait status.
template <class Body>
int inChild(Body body) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderAsan = true;
#else
constexpr bool kUnderAsan = false;
#endif
#else
constexpr bool kUnderAsan = false;
#endif

// Whether a fault reached the handler that was there before the dispatcher. In a plain
// build that is the default disposition: the child dies by SIGSEGV. Under
// AddressSanitizer (scripts/sanitize.sh) it is ASan's own handler, which reports the
// SEGV and exits with status 1 (ASan's default exitcode) instead: the fault was passed
// on all the same. Every other ending (the children's _exit(3/4/5)) still fails.
bool diedOfSegv(int status) {
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) return true;
  return kUnderAsan && WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

// Faults on purpose (null included): UBSan's null check must not end the child first.
__attribute__((no_sanitize("null"))) void touch(volatile char* p) { *p = 1; }

TEST(FaultDispatcherTest, FaultOutsideTheHeapIsNotSwallowed) {
  const int status = inChild([] {
    auto heap = Heap::create(HeapOptions{16 * kMiB, Policy::lazy, 1, true, false});
    if (!heap) _exit(3);
    touch(reinterpret_cast<char*>((*heap)->base()));  // ours: committed, survives
    if ((*heap)->stats().faults != 1) _exit(4);
    void* other = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    touch(static_cast<char*>(other));  // not ours: must kill the child
    _exit(5);
  });
  EXPECT_TRUE(diedOfSegv(status)) << "status " << status;
}

TEST(FaultDispatcherTest, NullDereferenceStillKills) {
  const int status = inChild([] {
    auto heap = Heap::create(HeapOptions{16 * kMiB, Policy::batched, 16, true, false});
    if (!heap) _exit(3);
    touch(static_cast<volatile char*>(nullptr));
    _exit(5);
  });
  EXPECT_TRUE(diedOfSegv(status)) << "status " << status;
}

TEST(FaultDispatcherTest, DestroyedHeapNoLongerHandlesFaults) {
  const int status = inChild([] {
    // Keep the range mapped PROT_NONE after the heap is gone, so the fault is in a
    // formerly registered range, not merely unmapped memory.
    char* base = nullptr;
    {
      auto heap = Heap::create(HeapOptions{16 * kMiB, Policy::lazy, 1, true, false});
      if (!heap) _exit(3);
      base = reinterpret_cast<char*>((*heap)->base());
    }
    mmap(base, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    touch(base);
    _exit(5);
  });
  EXPECT_TRUE(diedOfSegv(status)) << "status " << status;
}

TEST(FaultDispatcherTest, SentSignalIsNotSwallowed) {
  const int status = inChild([] {
    auto heap = Heap::create(HeapOptions{16 * kMiB, Policy::lazy, 1, true, false});
    if (!heap) _exit(3);
    raise(SIGSEGV);
    _exit(5);
  });
  EXPECT_TRUE(diedOfSegv(status)) << "status " << status;
}

void exitWith42(int, siginfo_t*, void*) { _exit(42); }

TEST(FaultDispatcherTest, ForeignFaultsReachTheEarlierHandler) {
  const int status = inChild([] {
    struct sigaction action {};
    action.sa_sigaction = exitWith42;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, nullptr);
    auto heap = Heap::create(HeapOptions{16 * kMiB, Policy::lazy, 1, true, false});
    if (!heap) _exit(3);
    touch(reinterpret_cast<char*>((*heap)->base()) + 4096);  // ours
    if ((*heap)->stats().faults != 1) _exit(4);
    touch(static_cast<volatile char*>(nullptr));  // theirs
    _exit(5);
  });
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST(FaultDispatcherTest, ConcurrentFirstTouchesCommitEachPageOnce) {
  auto heap = Heap::create(HeapOptions{16 * kMiB, Policy::lazy, 1, true, false});
  ASSERT_TRUE(heap);
  Heap& h = **heap;
  const size_t page = h.stats().pageSize;
  const size_t pages = 512;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) {
      }
      for (size_t i = 0; i < pages; ++i) {
        std::atomic_ref<char>(reinterpret_cast<char*>(h.base())[i * page]).fetch_add(1);
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(h.stats().committedPages, pages);
  EXPECT_EQ(h.stats().faults, pages);
  for (size_t i = 0; i < pages; ++i) {
    ASSERT_EQ(reinterpret_cast<char*>(h.base())[i * page], 4) << i;  // no lost writes
  }
}

}  // namespace
}  // namespace clemmys::heap
