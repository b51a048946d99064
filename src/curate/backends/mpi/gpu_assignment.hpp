#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace curate::backends::mpi {

/// Return the positions (into the node's visible GPUs) that local rank `local_rank` of
/// `local_size` ranks on a node with `gpus` GPUs uses: with at least as many GPUs as
/// ranks, a contiguous share of floor/ceil(gpus / local_size) each, every GPU used once;
/// with fewer, ranks share GPUs round the node (rank r takes GPU r * gpus / local_size).
/// Empty when the node has no GPU. Pure.
std::vector<std::size_t> gpus_for_local_rank(std::size_t gpus, int local_rank, int local_size);

/// Restrict this process to its local rank's GPUs (CUDA_VISIBLE_DEVICES set to their
/// UUIDs, or NVML indices where a UUID is unknown), so the ranks of a node do not all
/// start on GPU 0. Does nothing on a node without GPUs or with one rank. Called once by
/// MpiSession, before anything reads the GPUs; returns the value set ("" when none).
std::string assign_gpus_to_local_rank(int local_rank, int local_size);

}  // namespace curate::backends::mpi
