// MSBuild inline task (RoslynCodeTaskFactory): marks one version need of an ELF64 little-endian
// shared library as weak. See LinuxLibTorchSharpCompat.targets for why.
//
// ELF layout used (System V gABI + GNU symbol versioning):
//   Elf64_Ehdr: e_shoff @0x28 (u64), e_shentsize @0x3A, e_shnum @0x3C (u16)
//   Elf64_Shdr: sh_type @0x04 (u32), sh_offset @0x18 (u64), sh_size @0x20 (u64),
//               sh_link @0x28 (u32, index of the string table), sh_info @0x2C (u32, entry count)
//   SHT_GNU_verneed = 0x6ffffffe; Elf64_Verneed: vn_cnt @2 (u16), vn_aux @8, vn_next @12 (u32)
//   Elf64_Vernaux: vna_flags @4 (u16), vna_name @8, vna_next @12 (u32); VER_FLG_WEAK = 0x2
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class MarkElfVersionNeedWeak : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required] public string LibraryPath { get; set; } = "";
    [Required] public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        byte[] elf = File.ReadAllBytes(LibraryPath);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
            || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogWarning("{0} is not a 64-bit little-endian ELF file; left unchanged.", LibraryPath);
            return true;
        }

        long shOff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shEntSize = BitConverter.ToUInt16(elf, 0x3A);
        int shNum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shNum; s++)
        {
            long sh = shOff + (long)s * shEntSize;
            if (BitConverter.ToUInt32(elf, (int)sh + 0x04) != ShtGnuVerneed) continue;

            long verneedOffset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            uint stringSection = BitConverter.ToUInt32(elf, (int)sh + 0x28);
            uint needCount = BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strOffset = (long)BitConverter.ToUInt64(elf, (int)(shOff + stringSection * shEntSize) + 0x18);

            long need = verneedOffset;
            for (uint i = 0; i < needCount; i++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    string name = ReadCString(elf, strOffset + BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (name == VersionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0)
                        {
                            Log.LogMessage(MessageImportance.Low, "{0}: {1} already weak.", LibraryPath, VersionName);
                            return true;
                        }
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                        File.WriteAllBytes(LibraryPath, elf);
                        Log.LogMessage(MessageImportance.High,
                            "DiffOpt: marked the {0} version need of {1} weak (Linux libstdc++ compatibility).",
                            VersionName, LibraryPath);
                        return true;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        Log.LogMessage(MessageImportance.Low, "{0} needs no {1}; left unchanged.", LibraryPath, VersionName);
        return true;
    }

    private static string ReadCString(byte[] bytes, long offset)
    {
        int end = (int)offset;
        while (bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)offset, end - (int)offset);
    }
}
