#include "curate/backends/mpi/mpi_bytes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace curate::backends::mpi {

std::size_t max_message_bytes(int ranks) {
  std::size_t limit = std::size_t{1} << 30;
  if (const char* value = std::getenv("CURATE_MPI_CHUNK_BYTES")) {
    const long long parsed = std::atoll(value);
    if (parsed > 0) limit = std::min(limit, static_cast<std::size_t>(parsed));
  }
  const auto per_round =
      static_cast<std::size_t>(INT_MAX - 1) / static_cast<std::size_t>(std::max(ranks, 1));
  return std::max<std::size_t>(1, std::min(limit, per_round));
}

std::vector<std::string> all_to_all_bytes(MPI_Comm comm, const std::vector<std::string>& outgoing,
                                          const AbortFlag* abort) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  const auto peers = static_cast<std::size_t>(size);
  std::vector<std::uint64_t> send_sizes(peers);
  std::vector<std::uint64_t> recv_sizes(peers);
  std::uint64_t largest = 0;
  for (std::size_t r = 0; r < peers; ++r) {
    send_sizes[r] = outgoing[r].size();
    largest = std::max(largest, send_sizes[r]);
  }
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Ialltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T,
                          comm, &request),
            "MPI_Ialltoall (sizes)");
  wait_or_abort(request, abort, "all-to-all (sizes)");
  for (auto s : recv_sizes) largest = std::max(largest, s);
  check_mpi(MPI_Iallreduce(MPI_IN_PLACE, &largest, 1, MPI_UINT64_T, MPI_MAX, comm, &request),
            "MPI_Iallreduce (largest message)");
  wait_or_abort(request, abort, "all-to-all (largest message)");

  const std::size_t limit = max_message_bytes(size);
  const std::uint64_t rounds = largest == 0 ? 0 : (largest + limit - 1) / limit;
  if (rounds > 1) {
    spdlog::debug("all-to-all of up to {} bytes per peer in {} rounds of {} bytes", largest, rounds,
                  limit);
  }
  std::vector<std::string> incoming(peers);
  for (std::size_t r = 0; r < peers; ++r) incoming[r].resize(recv_sizes[r]);
  std::vector<int> send_counts(peers);
  std::vector<int> send_displs(peers);
  std::vector<int> recv_counts(peers);
  std::vector<int> recv_displs(peers);
  std::string send_buffer;
  std::string recv_buffer;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    const std::uint64_t offset = round * limit;
    int send_total = 0;
    int recv_total = 0;
    for (std::size_t r = 0; r < peers; ++r) {
      const auto out =
          send_sizes[r] > offset ? std::min<std::uint64_t>(limit, send_sizes[r] - offset) : 0;
      const auto in =
          recv_sizes[r] > offset ? std::min<std::uint64_t>(limit, recv_sizes[r] - offset) : 0;
      send_counts[r] = static_cast<int>(out);
      send_displs[r] = send_total;
      send_total += send_counts[r];
      recv_counts[r] = static_cast<int>(in);
      recv_displs[r] = recv_total;
      recv_total += recv_counts[r];
    }
    send_buffer.resize(static_cast<std::size_t>(send_total));
    recv_buffer.resize(static_cast<std::size_t>(recv_total));
    for (std::size_t r = 0; r < peers; ++r) {
      if (send_counts[r] > 0) {
        outgoing[r].copy(send_buffer.data() + send_displs[r],
                         static_cast<std::size_t>(send_counts[r]), offset);
      }
    }
    check_mpi(MPI_Ialltoallv(send_buffer.data(), send_counts.data(), send_displs.data(), MPI_BYTE,
                             recv_buffer.data(), recv_counts.data(), recv_displs.data(), MPI_BYTE,
                             comm, &request),
              "MPI_Ialltoallv");
    wait_or_abort(request, abort, "all-to-all (data)");
    for (std::size_t r = 0; r < peers; ++r) {
      if (recv_counts[r] > 0) {
        std::copy_n(recv_buffer.data() + recv_displs[r], recv_counts[r],
                    incoming[r].data() + offset);
      }
    }
  }
  return incoming;
}

std::vector<std::string> all_gather_bytes(MPI_Comm comm, const std::string& mine,
                                          const AbortFlag* abort) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  std::vector<std::string> outgoing(static_cast<std::size_t>(size), mine);
  return all_to_all_bytes(comm, outgoing, abort);
}

}  // namespace curate::backends::mpi
