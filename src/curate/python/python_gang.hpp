#pragma once

#include "curate/core/gang.hpp"

#include <nanobind/nanobind.h>

#include <span>
#include <string>
#include <vector>

namespace curate::python {

/// A curate::Gang whose collectives are Python callables: how the Ray backend gives a
/// raft-actor stage instance, living in one Ray actor, its gang (the callables talk to the
/// gang's coordinator actor). Created by the actor before `setup`, used by that actor's
/// stage instance from one thread at a time, always without the GIL held: each call
/// takes the GIL only around its Python callable, so the C++ work of the stage runs free.
/// A callable that raises (an aborted gang, a dead coordinator) makes the collective
/// throw std::runtime_error with the Python error's message.
class PythonGang final : public curate::Gang {
 public:
  /// Keep the callables: `barrier()`, `all_reduce_sum(list[int]) -> list[int]`,
  /// `all_to_all(list[bytes]) -> list[bytes]` (indexed by sender), `abort(str)`.
  PythonGang(int index, int size, nanobind::object barrier, nanobind::object all_reduce_sum,
             nanobind::object all_to_all, nanobind::object abort);
  /// Drop the callables, under the GIL (nothing to drop once the interpreter is gone).
  ~PythonGang() override;
  PythonGang(const PythonGang&) = delete;
  PythonGang& operator=(const PythonGang&) = delete;

  int index() const override { return index_; }
  int size() const override { return size_; }
  void barrier() override;
  void all_reduce_sum(std::span<int64_t> values) override;
  std::vector<std::string> all_to_all(std::vector<std::string> outgoing) override;
  void abort(const std::string& reason) override;

 private:
  int index_;
  int size_;
  nanobind::object barrier_;
  nanobind::object all_reduce_sum_;
  nanobind::object all_to_all_;
  nanobind::object abort_;
};

}  // namespace curate::python
