# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Run camera_node and pose_node as two machines: two network namespaces joined by a veth pair.

Needs root and ``ip netns`` (iproute2). As root, from the repository root:

    source .venv/bin/activate && source install/setup.bash
    python tools/netns_demo.py                            # the demo, ~25 s
    python tools/netns_demo.py --cut 8 --json out.json    # a longer cut, results saved
    python tools/netns_demo.py cleanup                    # namespaces left by killed runs

The "camera machine" (namespace pose_ros_cam_<pid>, 10.231.0.1/24 on veth_cam) plays the
bundled clip in a loop; the "pose machine" (pose_ros_pose_<pid>, 10.231.0.2/24 on veth_pose)
runs pose_node on the CPU and a small subscriber that prints one line per PersonArray. After
the flow is measured, the camera machine's link goes down for ``--cut`` seconds, comes back,
and the time until persons arrive again is measured.

Discovery is the default ROS 2 one, as on a real LAN: ROS_AUTOMATIC_DISCOVERY_RANGE=SUBNET
(overriding the LOCALHOST the Makefile and the tests set; with LOCALHOST nothing flows) and
Fast DDS multicast discovery on 239.255.0.1. Each namespace gets ``lo`` up and a multicast route
(224.0.0.0/4) on its veth, since it has no default route; Fast DDS 2.14 picks the interface of
its multicast itself and also discovered without the route, other DDS implementations use the
route. Taking a link down deletes its routes, so the restore adds the route again.
Fast DDS is limited to UDPv4 (FASTDDS_BUILTIN_TRANSPORTS=UDPv4, and no profile file): both
namespaces share one /dev/shm, and real separate machines have no shared-memory path between
them. (Fast DDS 2.14 did not use shared memory across the namespaces anyway, even with
config/fastdds_large_images.xml; the demo checks that no message arrives during the cut.)
All traffic stays inside the two namespaces; nothing is sent to any other address, and both
namespaces (with the veth pair) are deleted at the end.
"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PREFIX = 'pose_ros_'
SUBNET = '10.231.0'
CAMERA_ADDRESS = f'{SUBNET}.1'
POSE_ADDRESS = f'{SUBNET}.2'
CAMERA_LINK = 'veth_cam'
POSE_LINK = 'veth_pose'
MULTICAST = '224.0.0.0/4'
CLIP = 'media/vtest_clip.mp4'
PARAMS = 'config/pose.yaml'


class NetnsUnavailable(RuntimeError):
    """Root or ``ip netns`` is missing here; the reason is the message."""


def ip(*args, check=True):
    """Run ``ip ARGS``; return the completed process (raise CalledProcessError if it fails)."""
    return subprocess.run(['ip', *args], check=check, capture_output=True, text=True,
                          timeout=20)


def netns_unavailable_reason():
    """Return why network namespaces cannot be used here, or None when they can."""
    if os.geteuid() != 0:
        return 'needs root (ip netns add)'
    if shutil.which('ip') is None:
        return "needs the 'ip' command (apt-get install iproute2)"
    probe = f'{PREFIX}probe_{os.getpid()}'
    result = ip('netns', 'add', probe, check=False)
    if result.returncode != 0:
        return f'ip netns add failed: {result.stderr.strip()}'
    ip('netns', 'del', probe, check=False)
    return None


def namespace_env(extra=None):
    """
    Return the environment for a process in a namespace: ours, with discovery beyond localhost.

    ``ip netns exec`` keeps the caller's environment, so the venv and install paths (PATH,
    PYTHONPATH, AMENT_PREFIX_PATH, LD_LIBRARY_PATH) come along as they are.
    """
    env = dict(os.environ)
    env['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'SUBNET'
    env.pop('ROS_LOCALHOST_ONLY', None)
    env.pop('ROS_STATIC_PEERS', None)
    # A profile file (e.g. config/fastdds_large_images.xml) could switch shared memory back on.
    env.pop('FASTRTPS_DEFAULT_PROFILES_FILE', None)
    env.pop('FASTDDS_DEFAULT_PROFILES_FILE', None)
    env['FASTDDS_BUILTIN_TRANSPORTS'] = 'UDPv4'
    env['PYTHONUNBUFFERED'] = '1'
    env.setdefault('ROS_DOMAIN_ID', '0')
    env.update(extra or {})
    return env


class Machines:
    """
    Two network namespaces joined by a veth pair, and the processes started in them.

    A context manager: leaving it stops every process it started and deletes both namespaces
    (which deletes the veth pair), also after an error.
    """

    def __init__(self, tag=None):
        tag = tag or str(os.getpid())
        self.camera_ns = f'{PREFIX}cam_{tag}'
        self.pose_ns = f'{PREFIX}pose_{tag}'
        self.processes = []
        self._created = []

    def __enter__(self):
        try:
            self.create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type, *exc):
        self.close(keep_logs=exc_type is not None)

    def create(self):
        for name in (self.camera_ns, self.pose_ns):
            ip('netns', 'add', name)
            self._created.append(name)
        # Created inside the namespaces: the veth never appears in the caller's namespace.
        ip('-n', self.camera_ns, 'link', 'add', CAMERA_LINK, 'type', 'veth',
           'peer', 'name', POSE_LINK, 'netns', self.pose_ns)
        for name, link, address in ((self.camera_ns, CAMERA_LINK, CAMERA_ADDRESS),
                                    (self.pose_ns, POSE_LINK, POSE_ADDRESS)):
            ip('-n', name, 'link', 'set', 'lo', 'up')
            ip('-n', name, 'addr', 'add', f'{address}/24', 'dev', link)
            ip('-n', name, 'link', 'set', link, 'up')
            self.add_multicast_route(name, link)

    @staticmethod
    def add_multicast_route(name, link):
        """Route multicast (DDS discovery) over the veth; a link going down drops the route."""
        ip('-n', name, 'route', 'replace', MULTICAST, 'dev', link)

    def cut(self):
        """Unplug the camera machine: its veth goes down, the pose side loses its carrier."""
        ip('-n', self.camera_ns, 'link', 'set', CAMERA_LINK, 'down')

    def restore(self):
        """Plug the camera machine back in, with the multicast route the down removed."""
        ip('-n', self.camera_ns, 'link', 'set', CAMERA_LINK, 'up')
        self.add_multicast_route(self.camera_ns, CAMERA_LINK)

    def start(self, namespace, command, log_name, env=None):
        """Start ``command`` in ``namespace``; its output goes to a log file; return the Popen."""
        log = tempfile.NamedTemporaryFile(prefix=f'{log_name}-', suffix='.log', delete=False)
        process = subprocess.Popen(
            ['ip', 'netns', 'exec', namespace, *command], stdout=log, stderr=subprocess.STDOUT,
            env=namespace_env(env), start_new_session=True)
        process.log_path = log.name
        log.close()
        self.processes.append(process)
        return process

    def close(self, keep_logs=True):
        for process in reversed(self.processes):
            stop(process)
        for name in reversed(self._created):
            ip('netns', 'del', name, check=False)
        self._created = []
        if not keep_logs:
            for process in self.processes:
                pathlib.Path(process.log_path).unlink(missing_ok=True)


def stop(process, timeout=10.0):
    """Ctrl-C a process (killing its group if it ignores that); return its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    return process.returncode


def output(process):
    """Return what a process started by Machines.start printed so far."""
    return pathlib.Path(process.log_path).read_text(errors='replace')


def start_pipeline(machines, clip=None, fps=10.0):
    """Start camera_node, pose_node and a PersonArray counter; return the three processes."""
    from ament_index_python.packages import get_package_prefix, get_package_share_directory

    lib = pathlib.Path(get_package_prefix('pose_ros')) / 'lib' / 'pose_ros'
    share = pathlib.Path(get_package_share_directory('pose_ros'))
    params = ['--ros-args', '--params-file', str(share / PARAMS)]
    camera = machines.start(machines.camera_ns, [
        str(lib / 'camera_node'), *params, '-p', f'source:={clip or share / CLIP}',
        '-p', 'loop:=true', '-p', f'fps:={fps}'], 'netns-camera')
    pose = machines.start(machines.pose_ns, [
        str(lib / 'pose_node'), *params, '-p', 'device:=cpu'], 'netns-pose')
    counter = machines.start(machines.pose_ns, [
        sys.executable, str(pathlib.Path(__file__).resolve()), 'count'], 'netns-counter')
    return camera, pose, counter


def arrivals(counter):
    """Return (monotonic time, persons) of every PersonArray the counter printed so far."""
    found = []
    for line in output(counter).splitlines():
        if line.startswith('persons '):
            _, stamp, count = line.split()
            found.append((float(stamp), int(count)))
    return found


def wait_for(predicate, timeout, processes=(), step=0.1):
    """Wait until ``predicate()`` is true; return whether it was, failing if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f'{process.args[4]} exited with {process.returncode}:\n'
                                   + output(process)[-3000:])
        time.sleep(step)
    return bool(predicate())


def run_demo(cut_s=5.0, measure_s=8.0, recover_timeout=30.0, restore=True, tag=None,
             log=print):
    """
    Run the demo; return its measurements as a dict.

    ``restore`` False leaves the link down (to see the recovery check fail).
    """
    with Machines(tag) as machines:
        log(f'namespaces {machines.camera_ns} ({CAMERA_ADDRESS}) and {machines.pose_ns} '
            f'({POSE_ADDRESS}), veth {CAMERA_LINK} <-> {POSE_LINK}')
        processes = start_pipeline(machines)
        camera, pose, counter = processes
        started = time.monotonic()
        flowing = wait_for(lambda: len(arrivals(counter)) >= 3, 90, processes)
        if not flowing:
            raise RuntimeError('no PersonArray reached the pose machine in 90 s:\n'
                               + output(camera)[-2000:] + output(pose)[-2000:])
        first = arrivals(counter)[0][0]
        log(f'first PersonArray {first - started:.1f} s after start')
        time.sleep(measure_s)
        before = [a for a in arrivals(counter) if a[0] > first + 1.0]
        rate = (len(before) - 1) / (before[-1][0] - before[0][0]) if len(before) > 1 else 0.0
        log(f'before the cut: {len(before)} messages, {rate:.2f} msg/s, '
            f'{sum(c for _, c in before) / max(len(before), 1):.1f} persons each')

        cut_at = time.monotonic()
        machines.cut()
        log(f'link {CAMERA_LINK} down for {cut_s:g} s')
        time.sleep(cut_s)
        restored_at = time.monotonic()
        if restore:
            machines.restore()
            log(f'link {CAMERA_LINK} up again')
        else:
            log(f'link {CAMERA_LINK} left down (restore=False)')
        recovered = wait_for(lambda: any(t > restored_at for t, _ in arrivals(counter)),
                             recover_timeout, processes)
        all_arrivals = arrivals(counter)
        last_before = max((t for t, _ in all_arrivals if t <= cut_at + 1.0), default=None)
        during = [t for t, _ in all_arrivals if cut_at + 1.0 < t <= restored_at]
        first_after = min((t for t, _ in all_arrivals if t > restored_at), default=None)
        result = {
            'date': time.strftime('%Y-%m-%d'),
            'messages_before_cut': len(before), 'rate_before_cut': round(rate, 2),
            'cut_s': cut_s, 'messages_during_cut': len(during),
            'recovered': recovered,
            'gap_s': None if first_after is None or last_before is None
            else round(first_after - last_before, 2),
            'recovery_s': None if first_after is None else round(first_after - restored_at, 2),
            'persons_seen': max((c for _, c in all_arrivals), default=0),
        }
        if recovered:
            time.sleep(3.0)
            after = [t for t, _ in arrivals(counter) if t > first_after + 0.5]
            result['rate_after_restore'] = round(
                (len(after) - 1) / (after[-1] - after[0]), 2) if len(after) > 1 else 0.0
        log(f'during the cut: {len(during)} messages; recovery '
            f'{result["recovery_s"]} s after the link came back; gap {result["gap_s"]} s')
        result['clean_exit'] = {name: stop(process) for name, process in
                                zip(('camera', 'pose', 'counter'), processes)}
        return result


def count_persons():
    """Print ``persons <monotonic time> <number of persons>`` for each PersonArray received."""
    from pose_ros_msgs.msg import PersonArray
    import rclpy
    from rclpy.executors import ExternalShutdownException
    from rclpy.qos import QoSProfile, ReliabilityPolicy

    rclpy.init()
    node = rclpy.create_node('netns_person_counter')
    node.create_subscription(
        PersonArray, '/pose/persons',
        lambda msg: print(f'persons {time.monotonic():.3f} {len(msg.persons)}', flush=True),
        QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


def cleanup():
    """Delete the namespaces of earlier runs whose process no longer exists."""
    names = ip('netns', 'list').stdout.split()
    for name in names:
        if name.startswith(PREFIX):
            pid = name.rsplit('_', 1)[-1]
            if pid.isdigit() and not os.path.exists(f'/proc/{pid}'):
                ip('netns', 'del', name, check=False)
                print(f'deleted {name}')
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0].strip(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('action', nargs='?', default='demo', choices=('demo', 'count', 'cleanup'))
    parser.add_argument('--cut', type=float, default=5.0, help='seconds the link stays down')
    parser.add_argument('--measure', type=float, default=8.0,
                        help='seconds the flow is measured before the cut')
    parser.add_argument('--json', help='also write the results to this file')
    args = parser.parse_args()
    if args.action == 'count':
        return count_persons()
    reason = netns_unavailable_reason()
    if reason:
        print(f'netns_demo: {reason}', file=sys.stderr)
        return 2
    if args.action == 'cleanup':
        return cleanup()
    result = run_demo(cut_s=args.cut, measure_s=args.measure)
    print(json.dumps(result, indent=2))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2) + '\n')
    return 0 if result['recovered'] else 1


if __name__ == '__main__':
    sys.exit(main())
