#include "curate/backends/mpi/mpi_shuffle_exchange.hpp"

#include "curate/backends/mpi/mpi_bytes.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace curate::backends::mpi {
namespace {

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
T take(std::string_view& in) {
  if (in.size() < sizeof(T)) throw std::runtime_error("shuffle exchange: truncated message");
  T value;
  std::memcpy(&value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return value;
}

std::string_view take_bytes(std::string_view& in, std::size_t n) {
  if (in.size() < n) throw std::runtime_error("shuffle exchange: truncated message");
  std::string_view bytes = in.substr(0, n);
  in.remove_prefix(n);
  return bytes;
}

}  // namespace

MpiShuffleExchange::MpiShuffleExchange(MPI_Comm comm, std::vector<int> reducers,
                                       std::shared_ptr<AbortFlag> abort)
    : comm_(comm), reducers_(std::move(reducers)), abort_(std::move(abort)) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  if (reducers_.empty()) throw std::invalid_argument("shuffle exchange: no reducing rank");
}

int MpiShuffleExchange::reducer_of(int partition) const {
  return reducers_[static_cast<std::size_t>(partition) % reducers_.size()];
}

bool MpiShuffleExchange::reduces(int partition) const { return reducer_of(partition) == rank_; }

void MpiShuffleExchange::exchange(
    int round, std::vector<std::vector<std::vector<local::RoutedChunk>>>& routed) {
  // Ranks agree that nobody failed before they commit to the data exchange.
  // On the heap: a wait that gives up leaves it to the pending request.
  auto failed = std::make_shared<int>(abort_->raised() ? 1 : 0);
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Iallreduce(MPI_IN_PLACE, failed.get(), 1, MPI_INT, MPI_MAX, comm_, &request),
            "shuffle error flag");
  wait_or_abort_keeping(request, failed, abort_.get(),
                        fmt::format("shuffle round {} (error flag)", round));
  if (*failed != 0) throw std::runtime_error("shuffle abandoned: another rank failed");
  const auto start = std::chrono::steady_clock::now();

  std::vector<std::string> outgoing(static_cast<std::size_t>(size_));
  for (auto& by_partition : routed) {
    for (std::size_t p = 0; p < by_partition.size(); ++p) {
      const int target = reducer_of(static_cast<int>(p));
      if (target == rank_) continue;
      std::string& out = outgoing[static_cast<std::size_t>(target)];
      for (auto& chunk : by_partition[p]) {
        const std::string bytes = chunk.rows.to_bytes();
        put<std::uint32_t>(out, static_cast<std::uint32_t>(p));
        put<std::uint32_t>(out, static_cast<std::uint32_t>(chunk.key.size()));
        out += chunk.key;
        put<std::uint64_t>(out, bytes.size());
        out += bytes;
      }
      by_partition[p] = {};
    }
  }
  for (const auto& out : outgoing) bytes_moved_ += out.size();
  const std::vector<std::string> incoming = all_to_all_bytes(comm_, outgoing, abort_.get());
  auto& mine = routed.front();
  for (const std::string& message : incoming) {
    bytes_moved_ += message.size();
    std::string_view in(message);
    while (!in.empty()) {
      const auto partition = take<std::uint32_t>(in);
      const auto key_size = take<std::uint32_t>(in);
      std::string key(take_bytes(in, key_size));
      const auto block_size = take<std::uint64_t>(in);
      if (partition >= mine.size() || !reduces(static_cast<int>(partition))) {
        throw std::runtime_error(fmt::format(
            "shuffle exchange: rank {} got rows of partition {}, not its own", rank_, partition));
      }
      mine[partition].push_back(
          local::RoutedChunk{std::move(key), RowBlock::from_bytes(take_bytes(in, block_size))});
    }
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace curate::backends::mpi
