// Kill points for crash tests (STYLE rule 17): DISKCACHE_TEST_KILL_POINT
// ("name") marks a moment at which a crash must leave the directory
// recoverable. Builds with DISKCACHE_KILL_POINTS (test builds) compile the
// points in; a test process arms them to raise SIGKILL at the Nth hit of a
// point, or at random. Other builds compile every point to nothing.
//
// The points (see docs/reliability.md):
//   value_written     a value file's bytes are written, not yet fsynced
//   value_synced      the temporary file is fsynced, not yet renamed
//   value_renamed     renamed to its final name, directory not yet fsynced
//   value_dir_synced  the rename is durable, the row not yet committed
//   before_commit     an outermost transaction is about to COMMIT
//   after_commit      committed; replaced value files not yet unlinked
//   mid_cull          a cull removed some rows, not yet all: a write's cull
//                     deleted expired rows, not yet evicted; cull() committed
//                     one batch of evictions
//   between_batches   a bulk removal (expire, evict, clear) committed a batch
//   lease_granted     a lease committed, not yet returned to its caller
//   ack_deleted       an acknowledged lease is deleted, not yet committed
//   dead_letter_copied  an item moved to the dead letters is committed there,
//                     its deletion from the queue not yet committed
//
// The same builds can also trace moments a test checks the order of across
// processes: DISKCACHE_TEST_TRACE("event") appends "<pid> <event>" to a file
// the test names. The events:
//   write_locked      a write transaction holds the write lock (after BEGIN)
//   checkpoint_begin  a checkpoint starts, under every lock it needs
//   checkpoint_end    it is over, its locks not yet released; "whole" follows
//                     if it copied the whole WAL (the next writer resets it)
#ifndef DISKCACHE_SRC_KILL_POINT_HPP_
#define DISKCACHE_SRC_KILL_POINT_HPP_

#include <cstdint>
#include <string>

#ifdef DISKCACHE_KILL_POINTS
#define DISKCACHE_TEST_KILL_POINT(name) ::diskcache::detail::kill_point(name)
#define DISKCACHE_TEST_TRACE(event) ::diskcache::detail::trace(event)
#else
#define DISKCACHE_TEST_KILL_POINT(name) ((void)0)
#define DISKCACHE_TEST_TRACE(event) ((void)0)
#endif

namespace diskcache::detail {

// Counts a hit of point `name` and raises SIGKILL if armed for it.
void kill_point(const char* name) noexcept;

// Whether this build has kill points compiled in.
bool TEST_kill_points_compiled() noexcept;

// Raises SIGKILL at the `nth` (1-based) hit of point `name` from now (the
// hit counts start again). Before dying,
// appends "kill <name>\n" to `log_fd` if it is not negative.
void TEST_arm_kill_point(const std::string& name, std::uint64_t nth, int log_fd) noexcept;

// Raises SIGKILL at each hit of any point with probability 1/`odds`, drawn
// from a generator seeded with `seed`.
void TEST_arm_random_kill(std::uint64_t odds, std::uint64_t seed, int log_fd) noexcept;

// Appends "<pid> <event>\n" to the trace file, if a test set one.
void trace(const char* event) noexcept;

// Makes trace() append to `fd`, opened with O_APPEND so that records of
// several processes never mix (one write() each); -1 stops tracing.
void TEST_trace_to(int fd) noexcept;

}  // namespace diskcache::detail

#endif  // DISKCACHE_SRC_KILL_POINT_HPP_
