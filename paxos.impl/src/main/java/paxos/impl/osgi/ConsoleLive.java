package paxos.impl.osgi;

import java.util.List;
import java.util.Map;
import paxos.impl.health.HealthChecks;

/**
 * The console page's pictures, one self-contained block: live charts (throughput, propose
 * latency p50/p99, lag per peer, round trip per peer over the last five minutes) that the browser draws on canvases
 * from {@code GET /paxos/metrics}, a progress bar per checkpoint transfer (bytes, rate, ETA)
 * refreshed from {@code GET /paxos/status}, and which group rows to highlight. No CDN: the
 * platform runs offline, so the script is inline and draws with the canvas API.
 */
final class ConsoleLive {
    /** Points kept per series: 150 polls, 2 s apart, are the last five minutes. */
    static final int POINTS_MAX = 150;
    static final int POLL_MILLIS = 2_000;

    private ConsoleLive() {}

    /** Whether a group's row deserves attention: not RUNNING, a state machine not RUNNING/STANDBY, or execution far behind. */
    @SuppressWarnings("unchecked")
    static boolean unhealthy(Map<String, Object> group) {
        if (!"RUNNING".equals(group.get("state"))) return true;
        long lag = ((Number) group.get("chosenInstance")).longValue() - ((Number) group.get("executedInstance")).longValue();
        if (lag >= HealthChecks.EXECUTION_LAG_MAX) return true;
        for (Object o : (List<Object>) group.get("stateMachines")) {
            Object s = ((Map<String, Object>) o).get("state");
            if ("FAILED".equals(s) || "DIVERGED".equals(s) || "WAITING".equals(s)) return true;
        }
        return false;
    }

    /** "2: 0 (80 ms ago); 3: ? (report 41 s old)": the lag column, per peer, from what it reported and when. */
    @SuppressWarnings("unchecked")
    static String peerLag(Map<String, Object> group) {
        Object peers = group.get("peerChosen");
        if (!(peers instanceof Map<?, ?> m) || m.isEmpty()) return "";
        StringBuilder b = new StringBuilder();
        ((Map<String, Object>) m).forEach((peer, v) -> {
            Map<String, Object> p = (Map<String, Object>) v;
            Object age = p.get("reportedMillisAgo");
            b.append(b.length() == 0 ? "" : "; ").append(peer).append(": ")
                    .append(p.get("lag") == null ? "? (report " + age + " ms old)" : p.get("lag") + " (" + age + " ms ago)");
        });
        return b.toString();
    }

    /** The transfers section: one progress bar per transfer, then the charts and their script. */
    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> model) {
        StringBuilder b = new StringBuilder("<style>#paxos-groups tr.paxos-unhealthy td{background:#fdd}")
                .append(".paxos-chart{border:1px solid #ccc;margin:4px 8px 4px 0}</style>");
        b.append("<h2>Checkpoint transfers</h2><div id='paxos-transfers'>")
                .append(transfers((List<Object>) model.getOrDefault("checkpointTransfers", List.of()))).append("</div>");
        b.append("<h2>Live</h2><div id='paxos-charts'>")
                .append(canvas("throughput", "commands executed per second (all groups)"))
                .append(canvas("latency", "propose latency p50 / p99, ms (slowest group)"))
                .append(canvas("lag", "chosen lag per peer, instances (fresh reports), and execution lag here"))
                .append(canvas("rtt", "round trip per peer, ms (p50 over the last minute)"))
                .append("</div><script>").append(SCRIPT).append("</script>");
        return b.toString();
    }

    private static String canvas(String id, String title) {
        return "<div style='display:inline-block'><div class='statline'>" + ConsoleHtml.esc(title) + "</div><canvas id='paxos-chart-"
                + id + "' class='paxos-chart' width='380' height='140' data-points='0'></canvas></div>";
    }

    /** Server-side first rendering; the script replaces it from /paxos/status as transfers progress. */
    @SuppressWarnings("unchecked")
    static String transfers(List<Object> transfers) {
        if (transfers.isEmpty()) return "<p class='statline'>none since this node started</p>";
        StringBuilder b = new StringBuilder();
        for (Object o : transfers) {
            Map<String, Object> t = (Map<String, Object>) o;
            long bytes = ((Number) t.get("bytes")).longValue();
            long total = ((Number) t.get("bytesTotal")).longValue();
            long rate = ((Number) t.get("bytesPerSecond")).longValue();
            String eta = t.get("outcome") != null ? String.valueOf(t.get("outcome"))
                    : rate > 0 && total > bytes ? "ETA " + (total - bytes + rate - 1) / rate + " s" : "ETA unknown";
            b.append("<div class='paxos-transfer' data-group='").append(t.get("group")).append("'>")
                    .append(ConsoleHtml.esc("group " + t.get("group") + " " + t.get("direction") + " peer " + t.get("peer")
                            + " " + t.get("phase") + ": ")).append("<progress max='").append(Math.max(total, 1)).append("' value='")
                    .append(Math.min(bytes, Math.max(total, 1))).append("'></progress> ")
                    .append(ConsoleHtml.esc(bytes + " / " + total + " bytes, " + rate + " B/s, " + eta)).append("</div>");
        }
        return b.toString();
    }

    // Polls the metrics, keeps POINTS_MAX points per series and redraws; data-points counts the
    // samples drawn and data-last holds the newest value per series (the browser test reads both).
    // Rates come from counter differences between polls. URLs are absolute from location.origin:
    // Chromium refuses a relative fetch on a page opened as http://user:password@host/... .
    private static final String SCRIPT = """
            (function(){
              var MAX=%d, POLL=%d, series={throughput:{}, latency:{}, lag:{}, rtt:{}}, prev=null;
              function parse(text){
                var out=[];
                text.split('\\n').forEach(function(l){
                  if(!l||l.charAt(0)=='#')return;
                  var m=l.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)/); if(!m)return;
                  var labels={}; (m[3]||'').replace(/([a-zA-Z_]+)="((?:[^"\\\\]|\\\\.)*)"/g,function(_,k,v){labels[k]=v;});
                  out.push({name:m[1],labels:labels,value:parseFloat(m[4])});
                });
                return out;
              }
              function push(chart,name,v){
                var s=series[chart][name]||(series[chart][name]=[]); s.push(isFinite(v)?v:null); if(s.length>MAX)s.shift();
              }
              function draw(chart){
                var c=document.getElementById('paxos-chart-'+chart); if(!c)return;
                var g=c.getContext('2d'), names=Object.keys(series[chart]), max=1, n=0, colors=['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b'];
                names.forEach(function(k){series[chart][k].forEach(function(v){if(v!=null&&v>max)max=v;}); n=Math.max(n,series[chart][k].length);});
                g.clearRect(0,0,c.width,c.height); g.font='10px sans-serif'; g.fillStyle='#555'; g.fillText(max.toPrecision(3),2,10);
                names.forEach(function(k,i){
                  var s=series[chart][k]; g.strokeStyle=colors[i%%colors.length]; g.beginPath(); var started=false;
                  s.forEach(function(v,j){ if(v==null){started=false;return;}
                    var x=(c.width-4)*(MAX-s.length+j)/(MAX-1)+2, y=c.height-4-(c.height-18)*v/max;
                    if(started)g.lineTo(x,y); else {g.moveTo(x,y); started=true;} });
                  g.stroke(); g.fillStyle=colors[i%%colors.length]; g.fillText(k,40+i*70,10);
                });
                c.setAttribute('data-points', String(n));
                c.setAttribute('data-last', names.map(function(k){var s=series[chart][k]; return k+'='+s[s.length-1];}).join(' '));
              }
              function sum(ms,name){return ms.filter(function(m){return m.name==name;}).reduce(function(a,m){return a+m.value;},0);}
              function tick(){
                fetch(location.origin+'/paxos/metrics',{cache:'no-store'}).then(function(r){return r.text();}).then(function(text){
                  var ms=parse(text), now=Date.now(), executed=sum(ms,'paxos_group_executed_commands_total');
                  push('throughput','cmd/s', prev? (executed-prev.executed)*1000/Math.max(1,now-prev.at) : 0);
                  prev={executed:executed, at:now};
                  var p50=NaN, p99=NaN;
                  ms.forEach(function(m){ if(m.name!='paxos_propose_latency_seconds')return;
                    if(m.labels.quantile=='0.5')p50=isNaN(p50)?m.value:Math.max(p50,m.value);
                    if(m.labels.quantile=='0.99')p99=isNaN(p99)?m.value:Math.max(p99,m.value); });
                  push('latency','p50',p50*1000); push('latency','p99',p99*1000);
                  var lag={}, exec=0;
                  ms.forEach(function(m){
                    if(m.name=='paxos_group_peer_chosen_lag_instances'){var k='peer '+m.labels.peer; lag[k]=Math.max(lag[k]||0,m.value);}
                    if(m.name=='paxos_group_execution_lag_instances')exec=Math.max(exec,m.value); });
                  Object.keys(series.lag).forEach(function(k){ if(!(k in lag)&&k!='executing')lag[k]=NaN; });
                  Object.keys(lag).forEach(function(k){push('lag',k,lag[k]);}); push('lag','executing',exec);
                  var rtt={};
                  ms.forEach(function(m){ if(m.name=='paxos_peer_round_trip_seconds'&&m.labels.quantile=='0.5')rtt['peer '+m.labels.peer]=m.value*1000; });
                  Object.keys(series.rtt).forEach(function(k){ if(!(k in rtt))rtt[k]=NaN; });
                  Object.keys(rtt).forEach(function(k){push('rtt',k,rtt[k]);});
                  ['throughput','latency','lag','rtt'].forEach(draw);
                }).catch(function(){});
                fetch(location.origin+'/paxos/status',{cache:'no-store'}).then(function(r){return r.json();}).then(function(s){
                  var el=document.getElementById('paxos-transfers'); if(!el||!s.checkpointTransfers||!s.checkpointTransfers.length)return;
                  el.innerHTML=s.checkpointTransfers.map(function(t){
                    var total=Math.max(t.bytesTotal,1), eta=t.outcome!=null?String(t.outcome)
                      :(t.bytesPerSecond>0&&t.bytesTotal>t.bytes?'ETA '+Math.ceil((t.bytesTotal-t.bytes)/t.bytesPerSecond)+' s':'ETA unknown');
                    var d=document.createElement('div'); d.className='paxos-transfer'; d.setAttribute('data-group',t.group);
                    d.appendChild(document.createTextNode('group '+t.group+' '+t.direction+' peer '+t.peer+' '+t.phase+': '));
                    var p=document.createElement('progress'); p.max=total; p.value=Math.min(t.bytes,total); d.appendChild(p);
                    d.appendChild(document.createTextNode(' '+t.bytes+' / '+t.bytesTotal+' bytes, '+t.bytesPerSecond+' B/s, '+eta));
                    return d.outerHTML; }).join('');
                }).catch(function(){});
              }
              tick(); setInterval(tick,POLL);
            })();
            """.formatted(POINTS_MAX, POLL_MILLIS);
}
