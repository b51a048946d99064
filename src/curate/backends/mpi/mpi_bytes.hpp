#pragma once

#include "curate/backends/mpi/mpi_wait.hpp"

#include <mpi.h>

#include <cstddef>
#include <string>
#include <vector>

namespace curate::backends::mpi {

/// Return the most bytes one message carries per peer: 1 GiB, or less so that one
/// rank's bytes in one MPI_Alltoallv round stay below 2^31 (int counts and
/// displacements); `CURATE_MPI_CHUNK_BYTES` lowers it (tests use it to force chunking).
std::size_t max_message_bytes(int ranks);

/// Send `outgoing[r]` to rank r of `comm` and return what each rank sent here, indexed by
/// sender: sizes with MPI_Ialltoall, then the bytes with MPI_Ialltoallv in as many rounds
/// as the largest message needs, each under `max_message_bytes` per peer. Collective over
/// `comm`; waits poll `abort` (may be null) and throw when it is raised.
std::vector<std::string> all_to_all_bytes(MPI_Comm comm, const std::vector<std::string>& outgoing,
                                          const AbortFlag* abort);

/// Return every rank's `mine`, indexed by rank. Collective over `comm`; waits as above.
std::vector<std::string> all_gather_bytes(MPI_Comm comm, const std::string& mine,
                                          const AbortFlag* abort);

}  // namespace curate::backends::mpi
