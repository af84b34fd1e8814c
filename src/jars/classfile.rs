//! Just enough of the JVM class-file format (JVMS §4) to read a class's name, superclass,
//! methods and fields, and the members its code refers to: what `--msm-option` checks a key
//! against, and what a link check resolves through the class hierarchy.

/// One method or field a class declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    /// JVM descriptor, e.g. `(Ljava/lang/String;)V` or `J`.
    pub descriptor: String,
    pub access: u16,
    /// For a method with code: the members its instructions use, as indexes into the class's
    /// `references` (field access and method calls).
    pub uses: Vec<usize>,
}

impl Member {
    pub fn is_public(&self) -> bool {
        self.access & ACC_PUBLIC != 0
    }
    pub fn is_static(&self) -> bool {
        self.access & ACC_STATIC != 0
    }
}

/// A member of another (or the same) class named by this class's constant pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub field: bool,
    /// Internal name of the class the reference names as owner, e.g. `org/apache/catalina/Session`.
    pub owner: String,
    pub name: String,
    pub descriptor: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassFile {
    /// Internal name, e.g. `de/javakaffee/web/msm/MemcachedBackupSessionManager`.
    pub name: String,
    pub super_name: Option<String>,
    pub interfaces: Vec<String>,
    pub fields: Vec<Member>,
    pub methods: Vec<Member>,
    pub references: Vec<Reference>,
}

pub const ACC_PUBLIC: u16 = 0x0001;
pub const ACC_STATIC: u16 = 0x0008;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a readable class file: {0}")]
pub struct ClassFileError(String);

impl ClassFileError {
    pub fn new(reason: impl Into<String>) -> Self {
        ClassFileError(reason.into())
    }
}

enum Constant {
    Utf8(String),
    Class(u16),
    NameAndType(u16, u16),
    MemberRef { field: bool, class: u16, name_and_type: u16 },
    Other,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ClassFileError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| ClassFileError(format!("truncated at byte {}", self.at)))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, ClassFileError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ClassFileError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, ClassFileError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl ClassFile {
    pub fn parse(bytes: &[u8]) -> Result<ClassFile, ClassFileError> {
        let mut r = Reader { bytes, at: 0 };
        if r.u32()? != 0xCAFE_BABE {
            return Err(ClassFileError("no 0xCAFEBABE magic".into()));
        }
        r.take(4)?; // minor and major version
        let pool = read_pool(&mut r)?;
        let utf8 = |i: u16| match pool.get(i as usize) {
            Some(Constant::Utf8(s)) => Ok(s.clone()),
            _ => Err(ClassFileError(format!("constant {i} is not a string"))),
        };
        let class = |i: u16| match pool.get(i as usize) {
            Some(Constant::Class(n)) => utf8(*n),
            _ => Err(ClassFileError(format!("constant {i} is not a class"))),
        };
        r.u16()?; // access flags
        let name = class(r.u16()?)?;
        let super_index = r.u16()?;
        let super_name = if super_index == 0 { None } else { Some(class(super_index)?) };
        let interfaces = (0..r.u16()?).map(|_| class(r.u16()?)).collect::<Result<_, _>>()?;
        let mut references = Vec::new();
        let mut reference_at = std::collections::HashMap::new();
        for (i, c) in pool.iter().enumerate() {
            if let Constant::MemberRef { field, class: owner, name_and_type } = c {
                let Some(Constant::NameAndType(n, d)) = pool.get(*name_and_type as usize) else {
                    return Err(ClassFileError(format!("constant {name_and_type} is not a name and type")));
                };
                reference_at.insert(i, references.len());
                references.push(Reference { field: *field, owner: class(*owner)?, name: utf8(*n)?, descriptor: utf8(*d)? });
            }
        }
        let mut members = || -> Result<Vec<Member>, ClassFileError> {
            let count = r.u16()?;
            let mut out = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let access = r.u16()?;
                let name = utf8(r.u16()?)?;
                let descriptor = utf8(r.u16()?)?;
                let mut uses = Vec::new();
                for _ in 0..r.u16()? {
                    let attribute = utf8(r.u16()?)?;
                    let len = r.u32()? as usize;
                    let body = r.take(len)?;
                    if attribute == "Code" && body.len() >= 8 {
                        let code_len = u32::from_be_bytes([body[4], body[5], body[6], body[7]]) as usize;
                        let code = body.get(8..8 + code_len).ok_or_else(|| ClassFileError(format!("the code of {name} is truncated")))?;
                        uses = member_uses(code).map_err(|at| ClassFileError(format!("unreadable instruction at {at} in {name}")))?
                            .into_iter()
                            .filter_map(|cp| reference_at.get(&(cp as usize)).copied())
                            .collect();
                    }
                }
                out.push(Member { name, descriptor, access, uses });
            }
            Ok(out)
        };
        let fields = members()?;
        let methods = members()?;
        Ok(ClassFile { name, super_name, interfaces, fields, methods, references })
    }
}

/// The constant-pool indexes of the field and method instructions (`getstatic` to
/// `invokeinterface`) in a method's code; `Err(offset)` at an instruction it cannot step over.
fn member_uses(code: &[u8]) -> Result<Vec<u16>, usize> {
    let mut uses = Vec::new();
    let mut pc = 0;
    while pc < code.len() {
        let op = code[pc];
        let operand = |k: usize| code.get(pc + k).copied().ok_or(pc);
        let len = match op {
            0xb2..=0xb9 => {
                uses.push(u16::from_be_bytes([operand(1)?, operand(2)?]));
                if op >= 0xb9 { 5 } else { 3 }
            }
            0x10 | 0x12 | 0x15..=0x19 | 0x36..=0x3a | 0xa9 | 0xbc => 2,
            0x11 | 0x13 | 0x14 | 0x84 | 0x99..=0xa8 | 0xbb | 0xbd | 0xc0 | 0xc1 | 0xc6 | 0xc7 => 3,
            0xc5 => 4,
            0xba | 0xc8 | 0xc9 => 5,
            0xc4 => if operand(1)? == 0x84 { 6 } else { 4 },
            0xaa | 0xab => {
                // tableswitch / lookupswitch: padding to 4 bytes, then their tables.
                let base = (pc + 4) & !3;
                let word = |k: usize| -> Result<i64, usize> {
                    let b = code.get(base + 4 * k..base + 4 * k + 4).ok_or(pc)?;
                    Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]) as i64)
                };
                let entries = if op == 0xaa { (word(2)? - word(1)? + 1) * 4 + 12 } else { word(1)? * 8 + 8 };
                usize::try_from(entries).map_err(|_| pc)? + base - pc
            }
            0xca..=0xff => return Err(pc),
            _ => 1,
        };
        pc += len;
    }
    Ok(uses)
}

/// The constant pool, indexed from 1 as the format does (index 0 and the slot after a long
/// or double hold `Other`).
fn read_pool(r: &mut Reader) -> Result<Vec<Constant>, ClassFileError> {
    let count = r.u16()? as usize;
    let mut pool = Vec::with_capacity(count);
    pool.push(Constant::Other);
    while pool.len() < count {
        let tag = r.u8()?;
        let constant = match tag {
            1 => {
                let len = r.u16()? as usize;
                // Modified UTF-8 differs from UTF-8 only for NUL and supplementary characters,
                // which no class or member name this reads contains.
                Constant::Utf8(String::from_utf8_lossy(r.take(len)?).into_owned())
            }
            7 => Constant::Class(r.u16()?),
            9..=11 => Constant::MemberRef { field: tag == 9, class: r.u16()?, name_and_type: r.u16()? },
            12 => Constant::NameAndType(r.u16()?, r.u16()?),
            3 | 4 => {
                r.take(4)?;
                Constant::Other
            }
            5 | 6 => {
                r.take(8)?;
                pool.push(Constant::Other);
                Constant::Other
            }
            8 | 16 | 19 | 20 => {
                r.take(2)?;
                Constant::Other
            }
            15 => {
                r.take(3)?;
                Constant::Other
            }
            17 | 18 => {
                r.take(4)?;
                Constant::Other
            }
            _ => return Err(ClassFileError(format!("unknown constant tag {tag} at byte {}", r.at - 1))),
        };
        pool.push(constant);
    }
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-assembled class: `class A extends java/lang/Object { public void setX(I)V; }`
    /// whose pool also names the field `B.f:J` and a long constant (two slots).
    fn tiny() -> Vec<u8> {
        let mut b = vec![0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52];
        let utf8 = |s: &str| {
            let mut v = vec![1, 0, s.len() as u8];
            v.extend_from_slice(s.as_bytes());
            v
        };
        let pool: Vec<Vec<u8>> = vec![
            utf8("A"),                 // 1
            vec![7, 0, 1],             // 2 class A
            utf8("java/lang/Object"),  // 3
            vec![7, 0, 3],             // 4 class Object
            utf8("setX"),              // 5
            utf8("(I)V"),              // 6
            vec![5, 0, 0, 0, 0, 0, 0, 0, 7], // 7-8 long
            utf8("B"),                 // 9
            vec![7, 0, 9],             // 10 class B
            utf8("f"),                 // 11
            utf8("J"),                 // 12
            vec![12, 0, 11, 0, 12],    // 13 name and type
            vec![9, 0, 10, 0, 13],     // 14 field ref B.f
        ];
        b.extend_from_slice(&15u16.to_be_bytes());
        pool.iter().for_each(|c| b.extend_from_slice(c));
        b.extend_from_slice(&[0, 0x21, 0, 2, 0, 4, 0, 0, 0, 0]); // flags, this, super, 0 interfaces, 0 fields
        b.extend_from_slice(&[0, 1, 0, 1, 0, 5, 0, 6, 0, 0]); // 1 method: public setX(I)V, no attributes
        b.extend_from_slice(&[0, 0]);
        b
    }

    #[test]
    fn reads_names_members_and_references() {
        let c = ClassFile::parse(&tiny()).unwrap();
        assert_eq!(c.name, "A");
        assert_eq!(c.super_name.as_deref(), Some("java/lang/Object"));
        assert_eq!(c.methods, [Member { name: "setX".into(), descriptor: "(I)V".into(), access: ACC_PUBLIC, uses: vec![] }]);
        assert_eq!(c.references, [Reference { field: true, owner: "B".into(), name: "f".into(), descriptor: "J".into() }]);
    }

    #[test]
    fn the_field_and_method_instructions_of_a_method_are_found_across_switches() {
        // iload_0; tableswitch (pad 2, default, low 0, high 1, 2 offsets); getfield #14; return
        let mut code = vec![0x1a, 0xaa, 0, 0];
        for w in [0i32, 0, 1, 0, 0] {
            code.extend_from_slice(&w.to_be_bytes());
        }
        code.extend_from_slice(&[0xb4, 0, 14, 0xb1]);
        assert_eq!(member_uses(&code), Ok(vec![14]));
        assert_eq!(member_uses(&[0xb6, 0]), Err(0), "a truncated call");
    }

    #[test]
    fn a_truncated_class_is_an_error_not_a_panic() {
        let bytes = tiny();
        for cut in [3, 9, 40, bytes.len() - 3] {
            assert!(ClassFile::parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
