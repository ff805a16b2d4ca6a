"""Tiny random-weight diffusion pipelines for renderer tests (the diffusers test style: a few
channels, `torch.manual_seed(0)` before each component, tokenizers generated locally), and a
writer of the original single-file checkpoint layout. Nothing is downloaded. torch, diffusers
and transformers are imported inside the functions, so importing this module stays light."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


def build_tiny_pipeline(folder: Path) -> Path:
    """Save a tiny random-weight Stable Diffusion pipeline (diffusers-test style: a few
    channels, a CLIP tokenizer from a generated vocab) as safetensors, for tests and the CPU
    benchmark. Nothing is downloaded."""
    import torch
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    folder = Path(folder)
    tok_dir = folder / "_tokenizer_src"
    tok_dir.mkdir(parents=True, exist_ok=True)
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    chars, extra = list(printable), 0
    for b in range(256):  # the byte-to-unicode table CLIP's BPE uses
        if b not in printable:
            chars.append(256 + extra)
            extra += 1
    vocab: dict[str, int] = {}
    for c in chars:
        vocab[chr(c)] = len(vocab)
    for c in chars:
        vocab[chr(c) + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (tok_dir / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (tok_dir / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = CLIPTokenizer(
        str(tok_dir / "vocab.json"), str(tok_dir / "merges.txt"), model_max_length=77
    )
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
    )
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=vocab["<|startoftext|>"],
            eos_token_id=vocab["<|endoftext|>"],
            pad_token_id=vocab["<|endoftext|>"],
            hidden_size=32,
            intermediate_size=37,
            layer_norm_eps=1e-05,
            num_attention_heads=4,
            num_hidden_layers=5,
            vocab_size=len(vocab),
        )
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    pipe = StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    model = folder / "tiny-sd"
    pipe.save_pretrained(model, safe_serialization=True)  # type: ignore[attr-defined]
    return model


def save_original_layout(model: Path, out: Path) -> Path:
    """Write a diffusers SD 1.x folder as one `.safetensors` file in the original (LDM /
    CompVis) key layout that community single-file checkpoints use: `model.diffusion_model.*`,
    `first_stage_model.*`, `cond_stage_model.transformer.*`. The inverse of diffusers'
    single-file converters, so the single-file loading path is tested on the real layout."""
    from safetensors.torch import load_file, save_file

    unet_cfg = json.loads((model / "unet" / "config.json").read_text())
    per = unet_cfg["layers_per_block"] + 1
    attn_up = [("CrossAttn" in t) for t in unet_cfg["up_block_types"]]
    resnet = [
        ("norm1", "in_layers.0"),
        ("conv1", "in_layers.2"),
        ("norm2", "out_layers.0"),
        ("conv2", "out_layers.3"),
        ("time_emb_proj", "emb_layers.1"),
        ("conv_shortcut", "skip_connection"),
    ]

    def res(rest: str, names: list[tuple[str, str]] = resnet) -> str:
        head, _, tail = rest.partition(".")
        return dict(names).get(head, head) + "." + tail

    top = {
        "time_embedding.linear_1": "time_embed.0",
        "time_embedding.linear_2": "time_embed.2",
        "conv_in": "input_blocks.0.0",
        "conv_norm_out": "out.0",
        "conv_out": "out.2",
    }
    out_sd: dict[str, Any] = {}
    for key, value in load_file(model / "unet" / "diffusion_pytorch_model.safetensors").items():
        m = re.match(r"(down_blocks|up_blocks)\.(\d+)\.(resnets|attentions)\.(\d+)\.(.*)", key)
        if m:
            kind, b, part, j, rest = m[1], int(m[2]), m[3], int(m[4]), m[5]
            idx = (1 + b * per + j) if kind == "down_blocks" else b * per + j
            where = "input_blocks" if kind == "down_blocks" else "output_blocks"
            new = f"{where}.{idx}." + (f"0.{res(rest)}" if part == "resnets" else f"1.{rest}")
        elif m := re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)", key):
            new = f"input_blocks.{1 + int(m[1]) * per + per - 1}.0.op.{m[2]}"
        elif m := re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*)", key):
            b = int(m[1])
            new = f"output_blocks.{b * per + per - 1}.{2 if attn_up[b] else 1}.conv.{m[2]}"
        elif m := re.match(r"mid_block\.resnets\.(\d)\.(.*)", key):
            new = f"middle_block.{0 if m[1] == '0' else 2}.{res(m[2])}"
        elif key.startswith("mid_block.attentions.0."):
            new = "middle_block.1." + key.removeprefix("mid_block.attentions.0.")
        else:
            head, _, w = key.rpartition(".")
            new = f"{top[head]}.{w}"
        out_sd["model.diffusion_model." + new] = value

    vae_cfg = json.loads((model / "vae" / "config.json").read_text())
    n_up = len(vae_cfg["up_block_types"])
    vae_top = {"conv_norm_out": "norm_out"}
    attn = [
        ("group_norm", "norm"),
        ("to_q", "q"),
        ("to_k", "k"),
        ("to_v", "v"),
        ("to_out", "proj_out"),
    ]
    for key, value in load_file(model / "vae" / "diffusion_pytorch_model.safetensors").items():
        side, _, rest = key.partition(".")
        shortcut = [("conv_shortcut", "nin_shortcut")]
        if m := re.match(r"down_blocks\.(\d+)\.resnets\.(\d+)\.(.*)", rest):
            new = f"down.{m[1]}.block.{m[2]}.{res(m[3], shortcut)}"
        elif m := re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)", rest):
            new = f"down.{m[1]}.downsample.conv.{m[2]}"
        elif m := re.match(r"up_blocks\.(\d+)\.resnets\.(\d+)\.(.*)", rest):
            new = f"up.{n_up - 1 - int(m[1])}.block.{m[2]}.{res(m[3], shortcut)}"
        elif m := re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*)", rest):
            new = f"up.{n_up - 1 - int(m[1])}.upsample.conv.{m[2]}"
        elif m := re.match(r"mid_block\.resnets\.(\d)\.(.*)", rest):
            new = f"mid.block_{int(m[1]) + 1}.{res(m[2], shortcut)}"
        elif m := re.match(r"mid_block\.attentions\.0\.(.*)", rest):
            name = res(m[1].replace("to_out.0.", "to_out."), attn)
            new = f"mid.attn_1.{name}"
            if value.ndim == 2:  # the original stores these 1x1 convolutions
                value = value[:, :, None, None]
        elif side in ("quant_conv", "post_quant_conv"):  # top level: same name
            out_sd["first_stage_model." + key] = value
            continue
        else:
            head, _, w = rest.rpartition(".")
            new = f"{vae_top.get(head, head)}.{w}"
        out_sd[f"first_stage_model.{side}.{new}"] = value

    text = load_file(model / "text_encoder" / "model.safetensors")
    for key, value in text.items():  # transformers >= 5.6 saves CLIPTextModel flattened
        if not key.startswith("text_model.") and not key.startswith("text_projection"):
            key = "text_model." + key
        out_sd["cond_stage_model.transformer." + key] = value
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in out_sd.items()}, str(out))
    return out


def build_tiny_flux_pipeline(folder: Path) -> Path:
    """A tiny random-weight FLUX pipeline (CLIP + T5 text encoders, a one-block transformer),
    with both tokenizers generated locally, saved as safetensors."""
    import torch
    from diffusers import (
        AutoencoderKL,
        FlowMatchEulerDiscreteScheduler,
        FluxPipeline,
        FluxTransformer2DModel,
    )
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (  # type: ignore[attr-defined]
        CLIPTextModel,
        CLIPTokenizer,
        T5Config,
        T5EncoderModel,
        T5TokenizerFast,
    )

    folder = Path(folder)
    sd = build_tiny_pipeline(folder / "sd")
    clip_tok = CLIPTokenizer.from_pretrained(sd / "tokenizer")
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -1.0)]
    pieces += [(chr(c), -1.0) for c in range(32, 127)]
    unigram = Tokenizer(models.Unigram(pieces, unk_id=2))
    unigram.pre_tokenizer = pre_tokenizers.Metaspace()
    t5_tok = T5TokenizerFast(
        tokenizer_object=unigram,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_ids=0,
    )
    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(
        patch_size=1,
        in_channels=4,
        num_layers=1,
        num_single_layers=1,
        attention_head_dim=16,
        num_attention_heads=2,
        joint_attention_dim=32,
        pooled_projection_dim=32,
        axes_dims_rope=[4, 4, 8],
    )
    torch.manual_seed(0)
    clip = CLIPTextModel.from_pretrained(sd / "text_encoder")  # the tiny SD encoder
    torch.manual_seed(0)
    t5 = T5EncoderModel(
        T5Config(  # type: ignore[call-arg]
            vocab_size=len(pieces),
            d_model=32,
            d_kv=8,
            d_ff=37,
            num_layers=2,
            num_heads=4,
            decoder_start_token_id=0,
            pad_token_id=0,
            eos_token_id=1,
        )
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        sample_size=32,
        in_channels=3,
        out_channels=3,
        block_out_channels=(4,),
        layers_per_block=1,
        latent_channels=1,
        norm_num_groups=1,
        use_quant_conv=False,
        use_post_quant_conv=False,
        shift_factor=0.0609,
        scaling_factor=1.5035,
    )
    pipe = FluxPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=clip,
        tokenizer=clip_tok,
        text_encoder_2=t5,
        tokenizer_2=t5_tok,
        transformer=transformer,
        vae=vae,
    )
    model = folder / "tiny-flux"
    pipe.save_pretrained(model, safe_serialization=True)  # type: ignore[attr-defined]
    return model
