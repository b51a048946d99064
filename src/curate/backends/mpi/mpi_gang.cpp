#include "curate/backends/mpi/mpi_gang.hpp"

#include "curate/backends/mpi/mpi_bytes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

namespace curate::backends::mpi {

MpiGang::MpiGang(MPI_Comm comm, std::shared_ptr<AbortFlag> abort)
    : comm_(comm), abort_(std::move(abort)) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

void MpiGang::barrier() {
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Ibarrier(comm_, &request), "gang barrier");
  wait_or_abort(request, abort_.get(), "gang barrier");
}

void MpiGang::all_reduce_sum(std::span<int64_t> values) {
  // Reduced in a buffer of its own, which a wait that gives up leaves to the pending
  // request: the caller's memory is never written after this returns or throws.
  auto sums = std::make_shared<std::vector<int64_t>>(values.begin(), values.end());
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Iallreduce(MPI_IN_PLACE, sums->data(), static_cast<int>(sums->size()), MPI_INT64_T,
                           MPI_SUM, comm_, &request),
            "gang all_reduce_sum");
  wait_or_abort_keeping(request, sums, abort_.get(), "gang all_reduce_sum");
  std::copy(sums->begin(), sums->end(), values.begin());
}

std::vector<std::string> MpiGang::all_to_all(std::vector<std::string> outgoing) {
  if (outgoing.size() != static_cast<std::size_t>(size_)) {
    throw std::invalid_argument(
        fmt::format("gang all_to_all: {} messages for {} members", outgoing.size(), size_));
  }
  return all_to_all_bytes(comm_, outgoing, abort_.get());
}

void MpiGang::abort(const std::string& reason) { abort_->raise(reason); }

}  // namespace curate::backends::mpi
