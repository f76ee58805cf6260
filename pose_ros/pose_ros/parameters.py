# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Declare ROS parameters with a description, a type and, where one applies, a range."""

from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType)

_TYPES = {bool: ParameterType.PARAMETER_BOOL, int: ParameterType.PARAMETER_INTEGER,
          float: ParameterType.PARAMETER_DOUBLE, str: ParameterType.PARAMETER_STRING}


def declare(node, name, default, description, low=None, high=None, read_only=False,
            value_type=None, dynamic_typing=False):
    """
    Declare ``name`` on ``node`` and return its value.

    ``low``/``high`` give an inclusive range for int and float parameters. ``value_type``
    is needed for list parameters (e.g. ParameterType.PARAMETER_STRING_ARRAY).
    ``dynamic_typing`` accepts any type, e.g. ``fps:=10`` (an integer) for a float.
    """
    kind = value_type if value_type is not None else _TYPES[type(default)]
    descriptor = ParameterDescriptor(description=description, read_only=read_only,
                                     dynamic_typing=dynamic_typing)
    if not dynamic_typing:
        descriptor.type = kind
    if low is not None and high is not None:
        if kind == ParameterType.PARAMETER_INTEGER:
            descriptor.integer_range = [IntegerRange(from_value=int(low), to_value=int(high),
                                                     step=1)]
        elif kind == ParameterType.PARAMETER_DOUBLE:
            descriptor.floating_point_range = [FloatingPointRange(
                from_value=float(low), to_value=float(high), step=0.0)]
    return node.declare_parameter(name, default, descriptor).value
