// Copyright 2026 pose_ros contributors
// SPDX-License-Identifier: AGPL-3.0-only
// pose_ros live viewer: connects to the bridge's WebSocket feed on the page's own host and
// port (passing ?token= on), draws each person's skeleton in its track colour, and
// reconnects by itself. What it drew is exposed as window.poseViewer for tests and tools.
(function () {
  'use strict';

  const SCHEMA = 1;
  const MIN_CONFIDENCE = 0.5;  // as pose_ros.drawing: points and bones below it are not drawn
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 5000;
  const FPS_WINDOW_MS = 1000;

  const canvas = document.getElementById('view');
  const context = canvas.getContext('2d');
  const stateText = document.getElementById('state');
  const fpsText = document.getElementById('fps');
  const peopleText = document.getElementById('people');
  const sizeText = document.getElementById('size');

  const viewer = {
    state: 'connecting',
    url: feedUrl(),
    hello: null,
    frames: 0,
    fps: 0,
    lastMessage: null,
    lastPersons: [],
    drawn: {frames: 0, persons: 0, bones: 0, points: 0, ids: []},
    reconnects: 0,
  };
  window.poseViewer = viewer;

  let retryMs = RECONNECT_MIN_MS;
  let drawPending = false;
  const arrivals = [];

  function feedUrl() {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = new URLSearchParams(window.location.search).get('token');
    const query = token ? '?token=' + encodeURIComponent(token) : '';
    return scheme + '//' + window.location.host + '/' + query;
  }

  function setState(state, detail) {
    viewer.state = state;
    stateText.dataset.state = state;
    stateText.textContent = detail ? state + ' (' + detail + ')' : state;
    document.body.dataset.state = state;
  }

  function connect() {
    setState('connecting');
    const socket = new WebSocket(viewer.url);
    socket.onopen = function () {
      retryMs = RECONNECT_MIN_MS;
      setState('connected');
    };
    socket.onmessage = function (event) {
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
      return;
    }
    if (message.type !== 'persons') {
      return;
    }
    viewer.frames += 1;
    viewer.lastMessage = message;
    viewer.lastPersons = message.persons;
    arrivals.push(performance.now());
    if (!drawPending) {
      drawPending = true;
      window.requestAnimationFrame(function () {
        drawPending = false;
        draw(viewer.lastMessage);
      });
    }
  }

  function colourOf(id) {
    const palette = viewer.hello ? viewer.hello.palette : null;
    if (!palette || !palette.length) {
      return 'rgb(255, 255, 255)';
    }
    const rgb = palette[id % palette.length];
    return 'rgb(' + rgb[0] + ', ' + rgb[1] + ', ' + rgb[2] + ')';
  }

  function visible(point) {
    return point && point[0] !== null && point[1] !== null && point[2] !== null &&
      point[2] >= MIN_CONFIDENCE;
  }

  function draw(message) {
    const width = message.width || 640;
    const height = message.height || 480;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const scale = Math.max(width, height) / 640;
    context.fillStyle = '#000';
    context.fillRect(0, 0, width, height);
    const edges = viewer.hello ? viewer.hello.skeleton : [];
    const drawn = {frames: viewer.drawn.frames + 1, persons: 0, bones: 0, points: 0, ids: []};
    for (const person of message.persons) {
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
    canvas.dataset.persons = String(drawn.persons);
    canvas.dataset.frames = String(drawn.frames);
    peopleText.textContent = drawn.persons + (drawn.persons === 1 ? ' person' : ' people');
    sizeText.textContent = width + '\u00d7' + height;
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

  function updateRate() {
    const now = performance.now();
    while (arrivals.length && now - arrivals[0] > FPS_WINDOW_MS) {
      arrivals.shift();
    }
    viewer.fps = arrivals.length * 1000 / FPS_WINDOW_MS;
    fpsText.textContent = viewer.fps.toFixed(1) + ' fps';
  }

  window.setInterval(updateRate, 250);
  connect();
}());
