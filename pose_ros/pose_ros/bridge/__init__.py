# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The WebSocket bridge without ROS: what bridge_node (pose_ros.bridge_node) runs.

* ``json_encoding``: the feed's JSON messages (hello, persons), encoded once per frame.
* ``server``: server mode, the feed and the viewer page on one port (FeedServer), and
  LoopThread, which runs a service on its own asyncio thread.
* ``client``: client mode, pushing the feed to a frontend's server (FeedPusher).
* ``web/``: the browser viewer's static files, served from memory by the server.
"""
