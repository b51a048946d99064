#pragma once

#include "curate/backends/local/run_hooks.hpp"
#include "curate/backends/mpi/mpi_wait.hpp"

#include <mpi.h>

#include <memory>
#include <vector>

namespace curate::backends::mpi {

/// A shuffle stage's exchange between ranks: partition p is reduced on
/// `reducers[p % reducers.size()]` (every rank, or the ranks off the head node with
/// `ignore_head_node`); each round, the ranks first agree on an error flag, then move
/// the routed RowBlocks (RowBlock::to_bytes) with one chunked MPI_Alltoallv. Works on
/// its own communicator; called by one worker thread of the shuffle segment.
class MpiShuffleExchange final : public local::ShuffleExchange {
 public:
  MpiShuffleExchange(MPI_Comm comm, std::vector<int> reducers, std::shared_ptr<AbortFlag> abort);
  bool reduces(int partition) const override;
  void exchange(int round,
                std::vector<std::vector<std::vector<local::RoutedChunk>>>& routed) override;

  /// Return the bytes this rank sent and received in all rounds so far.
  std::uint64_t bytes_moved() const { return bytes_moved_; }
  /// Return the seconds spent moving them (packing, MPI_Alltoallv, unpacking).
  double seconds() const { return seconds_; }

 private:
  int reducer_of(int partition) const;

  MPI_Comm comm_;
  std::vector<int> reducers_;
  std::shared_ptr<AbortFlag> abort_;
  int rank_ = 0;
  int size_ = 1;
  std::uint64_t bytes_moved_ = 0;
  double seconds_ = 0.0;
};

}  // namespace curate::backends::mpi
