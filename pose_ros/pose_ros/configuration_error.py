# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The one exception every node raises for a start-up setting that cannot work."""

# Exit code of a node (or the pipeline) that stopped on a configuration error.
EXIT_CONFIGURATION_ERROR = 2


class ConfigurationError(RuntimeError):
    """A start-up setting that cannot work; the message names the fix."""
