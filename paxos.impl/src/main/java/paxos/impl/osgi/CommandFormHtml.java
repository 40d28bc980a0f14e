package paxos.impl.osgi;

/**
 * The console page's "Send a command" form: posts the text as the command's bytes (UTF-8) to the
 * command endpoint {@code POST /paxos/groups/{group}/statemachines/{id}} from the browser, which
 * reuses the console login (the endpoint's realm is the console's), and shows the status,
 * {@code X-Paxos-Instance} and the state machine's encoded result. The script only sets
 * {@code textContent}, so nothing the state machine answers is interpreted as HTML.
 */
final class CommandFormHtml {
    private CommandFormHtml() {}

    static String html() {
        return "<h2>Send a command</h2><form id='paxos-command-form'>"
                + "<input id='paxos-command-group' size='4' value='0' placeholder='group'> "
                + "<input id='paxos-command-id' size='6' placeholder='state machine ID'> "
                + "<input id='paxos-command-text' size='40' placeholder='command (sent as UTF-8 bytes)'> "
                + "<button id='paxos-command-send' type='submit'>Propose</button></form>"
                + "<pre id='paxos-command-result' class='statline'></pre>"
                + "<script>(function(){var f=document.getElementById('paxos-command-form');"
                + "var out=document.getElementById('paxos-command-result');"
                + "f.addEventListener('submit',function(e){e.preventDefault();"
                + "var g=encodeURIComponent(document.getElementById('paxos-command-group').value.trim());"
                + "var id=encodeURIComponent(document.getElementById('paxos-command-id').value.trim());"
                + "out.textContent='sending...';"
                // absolute from location.origin: a page opened as http://user:pw@host/... has a base
                // URL with credentials, against which fetch refuses to resolve a relative URL
                + "fetch(location.origin+'/paxos/groups/'+g+'/statemachines/'+id,{method:'POST',credentials:'same-origin',"
                + "headers:{'Content-Type':'application/octet-stream'},body:document.getElementById('paxos-command-text').value})"
                + ".then(function(r){return r.text().then(function(t){var at=r.headers.get('X-Paxos-Instance');"
                + "out.textContent=r.status+(at?' at instance '+at:'')+'\\n'+t;});})"
                + ".catch(function(x){out.textContent='failed: '+x;});});})();</script>";
    }
}
