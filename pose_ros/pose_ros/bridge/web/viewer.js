// Copyright 2026 pose_ros contributors
// SPDX-License-Identifier: AGPL-3.0-only
// pose_ros live viewer: connects to the bridge's WebSocket feed on the page's own host and
// port (passing ?token= on, asking for video and diagnostics), draws the camera picture,
// each person's trail and skeleton in its track colour, and the pipeline's figures, and
// reconnects by itself. A skeleton is only ever drawn over the picture with its own stamp.
// What it drew is exposed as window.poseViewer for tests and tools.
(function () {
  'use strict';

  const SCHEMA = 1;
  const MIN_CONFIDENCE = 0.5;  // as pose_ros.drawing: points and bones below it are not drawn
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 5000;
  const RATE_WINDOW_MS = 1000;
  const TRAIL_SECONDS = 3.0;     // how far back a trail reaches
  const TRAIL_POINTS = 150;      // most points kept per track
  const PICTURE_STALE_MS = 2000; // no picture for this long: skeletons on black again
  const KEEP_PERSONS = 64;       // persons messages kept to pair with their pictures
  const BACKGROUND = '#000';

  const canvas = document.getElementById('view');
  const context = canvas.getContext('2d');
  const text = {};
  for (const id of ['state', 'fps', 'inference', 'latency', 'dropped', 'people', 'tracks',
    'size', 'video']) {
    text[id] = document.getElementById(id);
  }
  const trailsButton = document.getElementById('trails');
  const snapshotButton = document.getElementById('snapshot');
  const pageQuery = new URLSearchParams(window.location.search);

  const viewer = {
    state: 'connecting',
    url: feedUrl(),
    hello: null,
    frames: 0,
    fps: 0,
    lastMessage: null,
    lastPersons: [],
    drawn: {frames: 0, persons: 0, bones: 0, points: 0, ids: [], trails: 0, stamp: null,
      pictureStamp: null, picture: false},
    reconnects: 0,
    video: {asked: pageQuery.get('video') !== '0', enabled: null, reason: '', pictures: 0,
      dropped: 0, failed: 0},
    pipeline: null,
    latencyMs: null,
    tracks: 0,
    trails: pageQuery.get('trails') !== '0',
    snapshots: 0,
    snapshot: snapshot,
  };
  window.poseViewer = viewer;

  let retryMs = RECONNECT_MIN_MS;
  let drawPending = false;
  let next = null;             // {message, picture} to draw at the next animation frame
  let shown = null;            // the picture on the canvas now
  let lastPictureAt = -Infinity;
  let lastSeq = 0;
  const arrivals = [];
  const latencies = [];
  const personsByStamp = new Map();
  const trails = new Map();     // track id -> [{t, x, y}]

  function feedUrl() {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams();
    const token = pageQuery.get('token');
    if (token) {
      query.set('token', token);
    }
    if (pageQuery.get('video') !== '0') {
      query.set('video', '1');
    }
    query.set('diagnostics', '1');
    return scheme + '//' + window.location.host + '/?' + query.toString();
  }

  function setState(state, detail) {
    viewer.state = state;
    text.state.dataset.state = state;
    text.state.textContent = detail ? state + ' (' + detail + ')' : state;
    document.body.dataset.state = state;
  }

  function connect() {
    setState('connecting');
    const socket = new WebSocket(viewer.url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = function () {
      retryMs = RECONNECT_MIN_MS;
      lastSeq = 0;
      setState('connected');
    };
    socket.onmessage = function (event) {
      if (event.data instanceof ArrayBuffer) {
        onPicture(event.data);
        return;
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      onMessage(message);
    };
    socket.onclose = function (event) {
      const delay = retryMs * (0.5 + Math.random() / 2);
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
      const reason = event.code === 1006 ? 'no connection' : 'code ' + event.code;
      setState('disconnected', reason + ', retrying');
      viewer.reconnects += 1;
      window.setTimeout(connect, delay);
    };
  }

  function onMessage(message) {
    if (message.type === 'hello') {
      viewer.hello = message;
      if (message.schema !== SCHEMA) {
        setState('connected', 'unknown schema ' + message.schema);
      }
    } else if (message.type === 'persons') {
      onPersons(message);
    } else if (message.type === 'video') {
      viewer.video.enabled = message.enabled;
      viewer.video.reason = message.enabled ? '' : String(message.reason || '');
      text.video.textContent = message.enabled ? '' : 'no video: ' + viewer.video.reason;
    } else if (message.type === 'diagnostics') {
      viewer.pipeline = message.values || {};
      showFigures();
    }
  }

  function onPersons(message) {
    viewer.frames += 1;
    viewer.lastMessage = message;
    viewer.lastPersons = message.persons;
    arrivals.push(performance.now());
    for (const person of message.persons) {
      viewer.tracks = Math.max(viewer.tracks, person.id);
    }
    addToTrails(message);
    personsByStamp.set(message.stamp, message);
    while (personsByStamp.size > KEEP_PERSONS) {
      personsByStamp.delete(personsByStamp.keys().next().value);
    }
    if (!picturesFlowing()) {
      schedule({message: message, picture: null});
    }
    // Otherwise the skeleton waits for the picture with the same stamp (onPicture).
  }

  function picturesFlowing() {
    return viewer.video.enabled === true &&
      performance.now() - lastPictureAt < PICTURE_STALE_MS;
  }

  function onPicture(buffer) {
    let header;
    let jpeg;
    try {
      const length = new DataView(buffer).getUint32(0);
      header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
      jpeg = new Uint8Array(buffer, 4 + length);
    } catch (error) {
      viewer.video.failed += 1;
      return;
    }
    if (header.type !== 'video_frame') {
      return;
    }
    lastPictureAt = performance.now();
    viewer.video.pictures += 1;
    if (lastSeq && header.seq > lastSeq + 1) {
      viewer.video.dropped += header.seq - lastSeq - 1;
    }
    lastSeq = header.seq;
    createImageBitmap(new Blob([jpeg], {type: 'image/jpeg'})).then(function (bitmap) {
      const newest = next && next.picture ? next.picture : shown;
      if (newest && newest.stamp > header.stamp) {
        bitmap.close();  // decoded after a newer one
        return;
      }
      const message = personsByStamp.get(header.stamp) || null;
      schedule({message: message, picture: {stamp: header.stamp, bitmap: bitmap}});
    }, function () {
      viewer.video.failed += 1;
    });
  }

  function schedule(frame) {
    if (next && next.picture && next.picture !== frame.picture) {
      next.picture.bitmap.close();
    }
    next = frame;
    if (!drawPending) {
      drawPending = true;
      window.requestAnimationFrame(function () {
        drawPending = false;
        const frameToDraw = next;
        next = null;
        draw(frameToDraw.message, frameToDraw.picture);
      });
    }
  }

  function addToTrails(message) {
    for (const person of message.persons) {
      const box = person.bbox;
      if (!person.id || box.some(function (value) { return value === null; })) {
        continue;
      }
      let points = trails.get(person.id);
      if (!points) {
        points = [];
        trails.set(person.id, points);
      }
      points.push({t: message.stamp, x: (box[0] + box[2]) / 2, y: (box[1] + box[3]) / 2});
      if (points.length > TRAIL_POINTS) {
        points.shift();
      }
    }
    for (const [id, points] of trails) {
      while (points.length && points[0].t < message.stamp - TRAIL_SECONDS) {
        points.shift();
      }
      if (!points.length) {
        trails.delete(id);
      }
    }
  }

  function colourOf(id, alpha) {
    const palette = viewer.hello ? viewer.hello.palette : null;
    const rgb = palette && palette.length ? palette[id % palette.length] : [255, 255, 255];
    if (alpha === undefined) {
      return 'rgb(' + rgb[0] + ', ' + rgb[1] + ', ' + rgb[2] + ')';
    }
    return 'rgba(' + rgb[0] + ', ' + rgb[1] + ', ' + rgb[2] + ', ' + alpha.toFixed(3) + ')';
  }

  function visible(point) {
    return point && point[0] !== null && point[1] !== null && point[2] !== null &&
      point[2] >= MIN_CONFIDENCE;
  }

  function draw(message, picture) {
    const bitmap = picture ? picture.bitmap : null;
    const width = (message && message.width) || (bitmap && bitmap.width) || 640;
    const height = (message && message.height) || (bitmap && bitmap.height) || 480;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const scale = Math.max(width, height) / 640;
    if (bitmap) {
      context.drawImage(bitmap, 0, 0, width, height);
      if (shown && shown !== picture) {
        shown.bitmap.close();
      }
      shown = picture;
    } else {
      context.fillStyle = BACKGROUND;
      context.fillRect(0, 0, width, height);
    }
    const stamp = picture ? picture.stamp : message.stamp;
    const drawn = {frames: viewer.drawn.frames + 1, persons: 0, bones: 0, points: 0, ids: [],
      trails: viewer.trails ? drawTrails(stamp, scale) : 0,
      stamp: message ? message.stamp : null, pictureStamp: picture ? picture.stamp : null,
      picture: Boolean(bitmap)};
    const edges = viewer.hello ? viewer.hello.skeleton : [];
    for (const person of message ? message.persons : []) {
      const colour = colourOf(person.id);
      const points = person.keypoints;
      context.strokeStyle = colour;
      context.fillStyle = colour;
      drawBox(person, scale);
      context.lineWidth = Math.max(2, 3 * scale);
      context.lineCap = 'round';
      for (const [a, b] of edges) {
        if (visible(points[a]) && visible(points[b])) {
          context.beginPath();
          context.moveTo(points[a][0], points[a][1]);
          context.lineTo(points[b][0], points[b][1]);
          context.stroke();
          drawn.bones += 1;
        }
      }
      for (const point of points) {
        if (visible(point)) {
          context.beginPath();
          context.arc(point[0], point[1], Math.max(3, 4 * scale), 0, 2 * Math.PI);
          context.fill();
          drawn.points += 1;
        }
      }
      drawLabel(person, colour, scale);
      drawn.persons += 1;
      drawn.ids.push(person.id);
    }
    viewer.drawn = drawn;
    latencies.push({at: performance.now(), ms: Date.now() - stamp * 1000});
    canvas.dataset.persons = String(drawn.persons);
    canvas.dataset.frames = String(drawn.frames);
    const people = message ? message.persons.length : 0;
    text.people.textContent = people + (people === 1 ? ' person' : ' people');
    text.size.textContent = width + '\u00d7' + height;
  }

  function drawTrails(stamp, scale) {
    let count = 0;
    context.lineWidth = Math.max(2, 2.5 * scale);
    context.lineCap = 'round';
    for (const [id, points] of trails) {
      let previous = null;
      let segments = 0;
      for (const point of points) {
        const age = stamp - point.t;
        if (age < 0) {
          break;  // newer than the picture: not there yet
        }
        if (previous && age <= TRAIL_SECONDS) {
          context.strokeStyle = colourOf(id, 0.15 + 0.85 * (1 - age / TRAIL_SECONDS));
          context.beginPath();
          context.moveTo(previous.x, previous.y);
          context.lineTo(point.x, point.y);
          context.stroke();
          segments += 1;
        }
        previous = point;
      }
      count += segments ? 1 : 0;
    }
    return count;
  }

  function drawBox(person, scale) {
    const box = person.bbox;
    if (box.some(function (value) { return value === null; })) {
      return;
    }
    context.lineWidth = Math.max(1, scale);
    context.setLineDash(person.confirmed ? [] : [6 * scale, 4 * scale]);
    context.strokeRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    context.setLineDash([]);
  }

  function drawLabel(person, colour, scale) {
    const nose = person.keypoints[0];
    const box = person.bbox;
    let x = box[0] || 0;
    let y = (box[1] || 0) - 6 * scale;
    if (visible(nose)) {
      x = nose[0] - 10 * scale;
      y = nose[1] - 14 * scale;
    }
    x = Math.min(Math.max(x, 2), canvas.width - 40 * scale);
    y = Math.min(Math.max(y, 16 * scale), canvas.height - 2);
    const label = person.id ? '#' + person.id : (person.score === null ? '?' : person.score.toFixed(2));
    context.font = 'bold ' + Math.round(16 * scale) + 'px sans-serif';
    context.lineWidth = Math.max(2, 3 * scale);
    context.strokeStyle = '#000';
    context.strokeText(label, x, y);
    context.fillStyle = colour;
    context.fillText(label, x, y);
  }

  function number(value) {
    return typeof value === 'number' && isFinite(value) ? value : null;
  }

  function showFigures() {
    const pipeline = viewer.pipeline || {};
    const fps = number(pipeline.fps);
    text.fps.textContent = (fps === null ? viewer.fps : fps).toFixed(1) + ' fps';
    const inference = number(pipeline.inference_ms);
    text.inference.textContent = 'inference ' + (inference === null ? '-' :
      inference.toFixed(0) + ' ms');
    text.latency.textContent = 'latency ' + (viewer.latencyMs === null ? '-' :
      viewer.latencyMs.toFixed(0) + ' ms');
    const dropped = number(pipeline.frames_dropped);
    const video = viewer.video.dropped ? ' (video ' + viewer.video.dropped + ')' : '';
    text.dropped.textContent = 'dropped ' + (dropped === null ? '-' : dropped) + video;
    const tracks = Math.max(viewer.tracks, number(pipeline.tracks_total) || 0);
    text.tracks.textContent = tracks + (tracks === 1 ? ' track' : ' tracks');
  }

  function updateRates() {
    const now = performance.now();
    while (arrivals.length && now - arrivals[0] > RATE_WINDOW_MS) {
      arrivals.shift();
    }
    while (latencies.length && now - latencies[0].at > RATE_WINDOW_MS) {
      latencies.shift();
    }
    viewer.fps = arrivals.length * 1000 / RATE_WINDOW_MS;
    if (latencies.length) {
      const sorted = latencies.map(function (sample) { return sample.ms; }).sort(
        function (a, b) { return a - b; });
      viewer.latencyMs = sorted[Math.floor(sorted.length / 2)];
    }
    showFigures();
  }

  function setTrails(on) {
    viewer.trails = on;
    trailsButton.setAttribute('aria-pressed', String(on));
  }

  function snapshot() {
    const name = 'pose_ros-' + new Date().toISOString().replace(/[:.]/g, '-') + '.png';
    canvas.toBlob(function (blob) {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
      viewer.snapshots += 1;
    }, 'image/png');
    return name;
  }

  trailsButton.addEventListener('click', function () { setTrails(!viewer.trails); });
  snapshotButton.addEventListener('click', function () { snapshot(); });
  document.addEventListener('keydown', function (event) {
    if (event.target !== document.body || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === 't') {
      setTrails(!viewer.trails);
    } else if (event.key === 's') {
      snapshot();
    }
  });
  setTrails(viewer.trails);
  window.setInterval(updateRates, 250);
  connect();
}());
