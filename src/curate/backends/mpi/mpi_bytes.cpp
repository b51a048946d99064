#include "curate/backends/mpi/mpi_bytes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <memory>
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

namespace {

// What MPI reads and writes during one all_to_all_bytes: on the heap, so that a wait that
// gives up can leave it to a request still pending (see wait_or_abort_keeping).
struct ExchangeBuffers {
  std::vector<std::uint64_t> send_sizes;
  std::vector<std::uint64_t> recv_sizes;
  std::uint64_t largest = 0;
  std::vector<int> send_counts, send_displs, recv_counts, recv_displs;
  std::string send_buffer;
  std::string recv_buffer;
};

}  // namespace

std::vector<std::string> all_to_all_bytes(MPI_Comm comm, const std::vector<std::string>& outgoing,
                                          const AbortFlag* abort) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  const auto peers = static_cast<std::size_t>(size);
  auto buffers = std::make_shared<ExchangeBuffers>();
  ExchangeBuffers& b = *buffers;
  b.send_sizes.resize(peers);
  b.recv_sizes.resize(peers);
  for (std::size_t r = 0; r < peers; ++r) {
    b.send_sizes[r] = outgoing[r].size();
    b.largest = std::max(b.largest, b.send_sizes[r]);
  }
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Ialltoall(b.send_sizes.data(), 1, MPI_UINT64_T, b.recv_sizes.data(), 1,
                          MPI_UINT64_T, comm, &request),
            "MPI_Ialltoall (sizes)");
  wait_or_abort_keeping(request, buffers, abort, "all-to-all (sizes)");
  for (auto s : b.recv_sizes) b.largest = std::max(b.largest, s);
  check_mpi(MPI_Iallreduce(MPI_IN_PLACE, &b.largest, 1, MPI_UINT64_T, MPI_MAX, comm, &request),
            "MPI_Iallreduce (largest message)");
  wait_or_abort_keeping(request, buffers, abort, "all-to-all (largest message)");

  const std::size_t limit = max_message_bytes(size);
  const std::uint64_t largest = b.largest;
  const std::uint64_t rounds = largest == 0 ? 0 : (largest + limit - 1) / limit;
  if (rounds > 1) {
    spdlog::debug("all-to-all of up to {} bytes per peer in {} rounds of {} bytes", largest, rounds,
                  limit);
  }
  std::vector<std::string> incoming(peers);
  for (std::size_t r = 0; r < peers; ++r) incoming[r].resize(b.recv_sizes[r]);
  b.send_counts.resize(peers);
  b.send_displs.resize(peers);
  b.recv_counts.resize(peers);
  b.recv_displs.resize(peers);
  for (std::uint64_t round = 0; round < rounds; ++round) {
    const std::uint64_t offset = round * limit;
    int send_total = 0;
    int recv_total = 0;
    for (std::size_t r = 0; r < peers; ++r) {
      const auto out =
          b.send_sizes[r] > offset ? std::min<std::uint64_t>(limit, b.send_sizes[r] - offset) : 0;
      const auto in =
          b.recv_sizes[r] > offset ? std::min<std::uint64_t>(limit, b.recv_sizes[r] - offset) : 0;
      b.send_counts[r] = static_cast<int>(out);
      b.send_displs[r] = send_total;
      send_total += b.send_counts[r];
      b.recv_counts[r] = static_cast<int>(in);
      b.recv_displs[r] = recv_total;
      recv_total += b.recv_counts[r];
    }
    b.send_buffer.resize(static_cast<std::size_t>(send_total));
    b.recv_buffer.resize(static_cast<std::size_t>(recv_total));
    for (std::size_t r = 0; r < peers; ++r) {
      if (b.send_counts[r] > 0) {
        outgoing[r].copy(b.send_buffer.data() + b.send_displs[r],
                         static_cast<std::size_t>(b.send_counts[r]), offset);
      }
    }
    check_mpi(MPI_Ialltoallv(b.send_buffer.data(), b.send_counts.data(), b.send_displs.data(),
                             MPI_BYTE, b.recv_buffer.data(), b.recv_counts.data(),
                             b.recv_displs.data(), MPI_BYTE, comm, &request),
              "MPI_Ialltoallv");
    wait_or_abort_keeping(request, buffers, abort, "all-to-all (data)");
    for (std::size_t r = 0; r < peers; ++r) {
      if (b.recv_counts[r] > 0) {
        std::copy_n(b.recv_buffer.data() + b.recv_displs[r], b.recv_counts[r],
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
