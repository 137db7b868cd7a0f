/* Draws every chart of a report page: each <canvas data-chart="ID"> reads its spec from the JSON element #ID. */
(function () {
  'use strict';
  var palette = ['#0b5cad', '#e07b00', '#1e6b35', '#b3261e', '#6a3fa0', '#00838f', '#8d6e00', '#c2185b', '#607d8b'];
  var canvases = document.querySelectorAll('canvas[data-chart]');
  for (var i = 0; i < canvases.length; i++) {
    var canvas = canvases[i];
    var source = document.getElementById(canvas.getAttribute('data-chart'));
    if (!source || typeof Chart === 'undefined') continue;
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (d, n) {
      var color = palette[n % palette.length];
      return { label: d.label, data: d.data, backgroundColor: color, borderColor: color, tension: 0.2, fill: false };
    });
    var valueAxis = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
    if (spec.percent) valueAxis.max = 100;
    if (spec.max) valueAxis.max = spec.max;
    var categoryAxis = { stacked: !!spec.stacked, ticks: { autoSkip: true } };
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        plugins: { legend: { display: datasets.length > 1, position: 'bottom' } },
        scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      },
    });
    canvas.setAttribute('data-drawn', 'true');
  }
})();
