# The commands a user types. Each installs what is missing, then builds only what it needs.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
PYTEST_FLAGS ?=
VENV ?= .venv

.PHONY: all deps configure build run test bench fuzz asan tsan clean format

all: build

deps:
	@scripts/install-deps.sh

# The Python module is built against the project's venv (Debian's python3, pinned
# nanobind), so pytest imports what this build made.
configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPython_EXECUTABLE=$(CURDIR)/$(VENV)/bin/python \
	  -Dnanobind_DIR=$$($(VENV)/bin/python -m nanobind --cmake_dir) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: configure
	@scripts/run-quickstart.sh $(BUILD_DIR)

test: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)
	@if [ -f $(BUILD_DIR)/python/curate/_curate*.so ]; then \
	  CURATE_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) PYTHONPATH=$(CURDIR)/python:$(CURDIR)/$(BUILD_DIR)/python \
	    $(VENV)/bin/python -m pytest tests/python -q $(PYTEST_FLAGS); \
	else echo "make test: no Python module in $(BUILD_DIR) (sanitizer build): pytest skipped"; fi

bench: configure
	@scripts/bench.sh $(BUILD_DIR)

fuzz: deps
	@scripts/fuzz.sh

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer, and under ThreadSanitizer.
asan:
	@$(MAKE) test BUILD_DIR=build-asan CMAKE_FLAGS="-DCURATE_SANITIZE='address;undefined' -DCURATE_BUILD_BENCH=OFF"

# TSan covers the threaded code, core and the executors: only their tests are built.
tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCURATE_SANITIZE=thread \
	  -DCURATE_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target test_core test_backends
	@cd build-tsan && ctest --output-on-failure -j $(JOBS) -L 'core|backends'

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf build build-asan build-tsan
