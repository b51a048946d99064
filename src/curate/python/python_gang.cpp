#include "curate/python/python_gang.hpp"

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

namespace nb = nanobind;

namespace curate::python {
namespace {

// "Type: message" of a Python error, without the traceback. Called with the GIL held.
std::string short_message(const nb::python_error& error) {
  const std::string type = nb::cast<std::string>(nb::handle(error.type()).attr("__name__"));
  const std::string message = nb::cast<std::string>(nb::str(error.value()));
  return message.empty() ? type : fmt::format("{}: {}", type, message);
}

// Run `call` under the GIL; a Python error becomes the std::runtime_error a C++ stage
// expects from a failed collective (named, so the member's log says which one).
template <typename Call>
auto with_gil(const char* collective, int index, Call&& call) {
  nb::gil_scoped_acquire gil;
  try {
    return std::forward<Call>(call)();
  } catch (const nb::python_error& error) {
    throw std::runtime_error(
        fmt::format("gang {} failed on member {}: {}", collective, index, short_message(error)));
  } catch (const nb::cast_error& error) {
    throw std::runtime_error(fmt::format("gang {} on member {} got a reply of the wrong type: {}",
                                         collective, index, error.what()));
  }
}

}  // namespace

PythonGang::PythonGang(int index, int size, nb::object barrier, nb::object all_reduce_sum,
                       nb::object all_to_all, nb::object abort)
    : index_(index),
      size_(size),
      barrier_(std::move(barrier)),
      all_reduce_sum_(std::move(all_reduce_sum)),
      all_to_all_(std::move(all_to_all)),
      abort_(std::move(abort)) {
  if (size < 1 || index < 0 || index >= size) {
    throw std::invalid_argument(
        fmt::format("a gang member's index must be in [0, size), got {} of {}", index, size));
  }
}

PythonGang::~PythonGang() {
  if (!Py_IsInitialized()) {
    // The interpreter is gone: there is nothing left to decrement.
    barrier_.release();
    all_reduce_sum_.release();
    all_to_all_.release();
    abort_.release();
    return;
  }
  nb::gil_scoped_acquire gil;
  barrier_.reset();
  all_reduce_sum_.reset();
  all_to_all_.reset();
  abort_.reset();
}

void PythonGang::barrier() {
  with_gil("barrier", index_, [&] { barrier_(); });
}

void PythonGang::all_reduce_sum(std::span<int64_t> values) {
  with_gil("all_reduce_sum", index_, [&] {
    const std::vector<int64_t> mine(values.begin(), values.end());
    const auto sums = nb::cast<std::vector<int64_t>>(all_reduce_sum_(mine));
    if (sums.size() != values.size()) {
      throw std::runtime_error(
          fmt::format("gang all_reduce_sum on member {}: {} values sent, {} "
                      "summed (members disagree on the length)",
                      index_, values.size(), sums.size()));
    }
    std::copy(sums.begin(), sums.end(), values.begin());
  });
}

std::vector<std::string> PythonGang::all_to_all(std::vector<std::string> outgoing) {
  if (outgoing.size() != static_cast<std::size_t>(size_)) {
    throw std::invalid_argument(
        fmt::format("gang all_to_all on member {}: {} messages for {} members", index_,
                    outgoing.size(), size_));
  }
  return with_gil("all_to_all", index_, [&] {
    nb::list messages;
    for (const std::string& message : outgoing)
      messages.append(nb::bytes(message.data(), message.size()));
    outgoing = {};
    nb::object received = all_to_all_(messages);
    std::vector<std::string> incoming;
    incoming.reserve(static_cast<std::size_t>(size_));
    for (nb::handle item : received) {
      const auto bytes = nb::cast<nb::bytes>(item);
      incoming.emplace_back(bytes.c_str(), bytes.size());
    }
    if (incoming.size() != static_cast<std::size_t>(size_)) {
      throw std::runtime_error(
          fmt::format("gang all_to_all on member {}: {} messages received "
                      "for {} members",
                      index_, incoming.size(), size_));
    }
    return incoming;
  });
}

void PythonGang::abort(const std::string& reason) {
  // Best effort: the member is failing already, its own error is the one to report.
  nb::gil_scoped_acquire gil;
  try {
    abort_(reason);
  } catch (const nb::python_error&) {
  }
}

}  // namespace curate::python
