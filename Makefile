# pose_ros: `make run` sets up and runs the pipeline; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

DISTRO ?= jazzy
ifeq ($(DISTRO),jazzy)
VENV ?= .venv
BUILD_DIR ?= build
INSTALL_DIR ?= install
else
VENV ?= .venv-$(DISTRO)
BUILD_DIR ?= build-$(DISTRO)
INSTALL_DIR ?= install-$(DISTRO)
endif

SOURCE ?=
PARAMS_FILE ?= pose_ros/config/pose.yaml
PYTEST_ARGS ?=
# Keep DDS discovery on this host unless told otherwise (export ROS_AUTOMATIC_DISCOVERY_RANGE=SUBNET).
export ROS_AUTOMATIC_DISCOVERY_RANGE ?= LOCALHOST
# Ultralytics must never reach the network at run time.
export YOLO_OFFLINE ?= 1
export YOLO_AUTOINSTALL ?= false

PACKAGE_FILES := $(shell find pose_ros pose_ros_msgs -type f -not -path '*/__pycache__/*' -not -path 'pose_ros/test/*' 2>/dev/null)
VENV_ENV := source $(VENV)/bin/activate && export AMENT_PREFIX_PATH=$$VIRTUAL_ENV CMAKE_PREFIX_PATH=$$VIRTUAL_ENV
RUN_ENV := source $(VENV)/bin/activate && source $(INSTALL_DIR)/setup.bash

.PHONY: help setup venv build test lint run export netns-demo bench-venv clean

help:
	@echo "make run    set up on first use, then run the pipeline (SOURCE=0|file|folder to pick a source)"
	@echo "make test   build if needed, then run unit, integration, browser and lint tests"
	@echo "make setup  create the venv (cached outside the repo) and colcon-build both packages"
	@echo "make export     named ONNX, OpenVINO (and, on a GPU, TensorRT) exports (model:=yolo11n-pose.engine)"
	@echo "make netns-demo  camera and pose in two network namespaces, with a link cut (root)"
	@echo "make bench-venv  bench-only venv (.venv-bench: boxmot, motmetrics, trackeval) for bench/tracking_eval.py"
	@echo "DISTRO=$(DISTRO) selects the ROS 2 distro (jazzy, kilted); each has its own venv and install dir"

setup: build

venv:
	@tools/setup_venv.sh $(DISTRO) $(VENV)

$(INSTALL_DIR)/.pose_ros_built: $(PACKAGE_FILES) $(VENV)/.pose_ros_complete
	@$(VENV_ENV) && colcon build --base-paths pose_ros_msgs pose_ros \
	    --build-base $(BUILD_DIR) --install-base $(INSTALL_DIR) \
	    --event-handlers console_direct- summary+ 2>&1 | grep -v "doesn't contain any 'local_setup" ; \
	  test "$${PIPESTATUS[0]}" -eq 0
	@touch $@

build: venv
	@$(MAKE) --no-print-directory $(INSTALL_DIR)/.pose_ros_built

# PYTEST_ARGS="test/test_x.py -x" runs only those tests. pytest (not python -m pytest) keeps
# the source tree off sys.path, so the tests exercise the installed package.
test: build
	@$(RUN_ENV) && cd pose_ros && pytest $(if $(PYTEST_ARGS),$(PYTEST_ARGS),test)

lint: build
	@$(RUN_ENV) && cd pose_ros && pytest test -m linter

run: build
	@$(RUN_ENV) && python tools/run_pipeline.py --params-file $(PARAMS_FILE) --source "$(SOURCE)"

# Named exports of the bundled weights, offline: ONNX, OpenVINO, and the TensorRT engine when a
# CUDA GPU is there (model:=yolo11n-pose.engine). The CPU default needs none of this: pose_node
# exports into its cache on first start (backend: auto).
export: build
	@$(RUN_ENV) && python tools/export_model.py

# camera_node and pose_node in two network namespaces joined by a veth pair (needs root).
netns-demo: build
	@$(RUN_ENV) && python tools/netns_demo.py

# Bench-only venv on top of the main one (boxmot needs opencv-python < 5); see bench/tracking_eval.py.
bench-venv: venv
	@tools/setup_bench_venv.sh $(VENV) .venv-bench

clean:
	rm -rf $(BUILD_DIR) $(INSTALL_DIR) log
