#pragma once

#include "curate/backends/mpi/mpi_wait.hpp"
#include "curate/core/gang.hpp"

#include <mpi.h>

#include <memory>

namespace curate::backends::mpi {

/// A raft-actor stage's gang across ranks: one member per rank, index = rank in `comm`
/// (the executor's own duplicate for this stage). Collectives are non-blocking MPI calls
/// whose waits end with an exception when `abort` is raised (a rank failed), so no
/// member hangs. Used by the member's worker thread only; `abort` from any thread.
class MpiGang final : public curate::Gang {
 public:
  MpiGang(MPI_Comm comm, std::shared_ptr<AbortFlag> abort);
  int index() const override { return rank_; }
  int size() const override { return size_; }
  void barrier() override;
  void all_reduce_sum(std::span<int64_t> values) override;
  std::vector<std::string> all_to_all(std::vector<std::string> outgoing) override;
  void abort(const std::string& reason) override;

 private:
  MPI_Comm comm_;
  std::shared_ptr<AbortFlag> abort_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace curate::backends::mpi
