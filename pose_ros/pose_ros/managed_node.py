# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The lifecycle (managed node) plumbing shared by the pose_ros nodes.

A ManagedNode is an rclpy LifecycleNode whose transitions are four plain methods that
raise on failure instead of returning codes:

========== ======================== ===================================================
transition method                   on an exception
========== ======================== ===================================================
configure  ``_configure()``         ConfigurationError: logged, ``_cleanup()``, FAILURE
                                    (back to unconfigured); anything else: ERROR
activate   ``_activate()``          as above, with ``_deactivate()`` (back to inactive)
deactivate ``_deactivate()``
cleanup    ``_cleanup()``
shutdown   deactivate and clean up, from whichever state the node is in
========== ======================== ===================================================

Each method must tolerate a half-done state (the undo after a failure runs it). An ERROR
(an exception other than ConfigurationError) goes through ``on_error``, which releases
everything and returns the node to unconfigured, as rclpy's state machine prescribes.

``bring_up()`` is the ``autostart`` path used by node_runner: configure, then activate,
re-raising the first failure so that node_runner reports it once and exits with code 2.
``finalized`` is a Future that is done once the node has been shut down. A transition that
rclpy's shutdown (SIGTERM) interrupts raises ``TransitionInterrupted`` past rclpy, whose own
error path would try, and fail loudly, to announce a new state on a shut-down context.
"""

import traceback

from pose_ros.configuration_error import ConfigurationError
from rclpy.executors import ExternalShutdownException
from rclpy.impl.implementation_singleton import rclpy_implementation
from rclpy.lifecycle import LifecycleNode, TransitionCallbackReturn
from rclpy.task import Future


class TransitionInterrupted(BaseException):
    """rclpy shut down during a transition: the process is stopping (like KeyboardInterrupt)."""


class ManagedNode(LifecycleNode):
    """A LifecycleNode with raising transition methods and a clean shutdown from any state."""

    def __init__(self, node_name, **kwargs):
        super().__init__(node_name, **kwargs)
        self.configured = False
        self.active = False
        self.finalized = Future()
        self.transition_error = None  # the exception that failed the last transition
        self._bringing_up = False

    # -- what subclasses implement ------------------------------------------------------
    def _configure(self) -> None:
        """Check, load and prepare; open nothing that streams."""

    def _activate(self) -> None:
        """Subscribe, open, publish."""

    def _deactivate(self) -> None:
        """Stop every stream and every thread that works on one."""

    def _cleanup(self) -> None:
        """Free what _configure made."""

    # -- autostart --------------------------------------------------------------------------
    def bring_up(self) -> None:
        """
        Configure and activate; raise the exception that failed either transition.

        Ctrl-C (rclpy shut down) during a transition raises ExternalShutdownException.
        """
        self._bringing_up = True
        try:
            for trigger in (self.trigger_configure, self.trigger_activate):
                try:
                    result = trigger()
                except rclpy_implementation.RCLError:  # it cannot announce the new state
                    if self.context.ok():
                        raise
                    raise ExternalShutdownException() from None
                if not self.context.ok():
                    raise ExternalShutdownException()
                if result != TransitionCallbackReturn.SUCCESS:
                    raise self.transition_error or ConfigurationError(
                        f'{trigger.__name__} of {self.get_name()} failed')
        finally:
            self._bringing_up = False

    def stop_if_shut_down(self) -> None:
        """Between the slow steps of a transition: give up at once after Ctrl-C."""
        if not self.context.ok():
            raise ExternalShutdownException()

    def log_transition(self, text) -> None:
        """Log a transition at info, unless rclpy has shut down (Ctrl-C): /rosout is gone."""
        if self.context.ok():
            self.get_logger().info(text)

    def release(self) -> None:
        """Deactivate and clean up, whatever the state; safe to call more than once."""
        if self.active:
            self.active = False
            self._deactivate()
        if self.configured:
            self.configured = False
            self._cleanup()

    def destroy_node(self):
        """Destroy the node and its lifecycle state machine."""
        super().destroy_node()
        # rclpy leaves the state machine, which holds the node, to the garbage collector:
        # until then the DDS participant stays, and a process that ends with os._exit (see
        # node_runner) would leave a ghost node in the graph for the 20 s lease.
        self._state_machine.destroy_when_not_in_use()

    # -- rclpy transition callbacks -----------------------------------------------------
    def on_configure(self, state) -> TransitionCallbackReturn:
        result = self._run('configure', self._configure, self._cleanup)
        self.configured = result == TransitionCallbackReturn.SUCCESS
        return self._and_entities(result, super().on_configure, state)

    def on_activate(self, state) -> TransitionCallbackReturn:
        result = self._run('activate', self._activate, self._deactivate)
        self.active = result == TransitionCallbackReturn.SUCCESS
        # Lifecycle publishers are enabled after _activate, so nothing half-ready publishes.
        return self._and_entities(result, super().on_activate, state)

    def on_deactivate(self, state) -> TransitionCallbackReturn:
        super().on_deactivate(state)  # publishers off first: nothing leaks out while stopping
        self.active = False
        return self._run('deactivate', self._deactivate, None)

    def on_cleanup(self, state) -> TransitionCallbackReturn:
        self.configured = False
        result = self._run('cleanup', self._cleanup, None)
        return self._and_entities(result, super().on_cleanup, state)

    def on_shutdown(self, state) -> TransitionCallbackReturn:
        super().on_deactivate(state)
        result = self._run('shutdown', self.release, None)
        if not self.finalized.done():
            self.finalized.set_result(0)
        return result

    def on_error(self, state) -> TransitionCallbackReturn:
        try:
            self.release()
        except Exception as error:  # noqa: BLE001 - report it, then give up on the node
            self.get_logger().error(f'could not recover: {type(error).__name__}: {error}')
            if not self.finalized.done():
                self.finalized.set_result(1)
            return TransitionCallbackReturn.FAILURE  # to finalized
        return TransitionCallbackReturn.SUCCESS  # to unconfigured

    # -- helpers --------------------------------------------------------------------------------
    def _run(self, name, step, undo) -> TransitionCallbackReturn:
        self.transition_error = None
        try:
            step()
            return TransitionCallbackReturn.SUCCESS
        except Exception as error:  # noqa: BLE001 - rclpy would swallow it without a word
            self.transition_error = error
            configuration = isinstance(error, ConfigurationError)
            interrupted = not self.context.ok()  # Ctrl-C: nothing to report
            if not self._bringing_up and not interrupted:  # else node_runner reports it
                detail = '' if configuration else '\n' + traceback.format_exc()
                self.get_logger().error(f'{name} failed: {error}{detail}')
            if undo is not None:
                try:
                    undo()
                except Exception as undo_error:  # noqa: BLE001
                    self.get_logger().error(f'undoing a failed {name} failed too: '
                                            f'{type(undo_error).__name__}: {undo_error}')
            if interrupted:
                raise TransitionInterrupted() from None
            return (TransitionCallbackReturn.FAILURE if configuration
                    else TransitionCallbackReturn.ERROR)

    @staticmethod
    def _and_entities(result, callback, state):
        if result != TransitionCallbackReturn.SUCCESS:
            return result
        return callback(state)
