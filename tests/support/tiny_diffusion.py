"""A tiny random Stable Diffusion pipeline (CLIP text encoder, two-level UNet, four-block VAE, DDIM)
for the text_to_image task, saved with ``save_pretrained``; built by ``tiny_assets.build_model``."""

from __future__ import annotations

from pathlib import Path

from tests.support.tiny_assets import FFN, HEADS, HIDDEN, LAYERS


def build_text_to_image(out: Path) -> Path:
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode  # in 4.57 and 5.x alike

    # CLIP BPE marks word ends with "</w>": every byte, alone and word-final, and no merges.
    byte_chars = list(bytes_to_unicode().values())
    tokens = byte_chars + [c + "</w>" for c in byte_chars] + ["<|startoftext|>", "<|endoftext|>"]
    # Short max length keeps the text encoder tiny; the pipeline pads every prompt to it. The vocab
    # goes in as an object: transformers 5 reads a merges file with no merges as an empty model.
    tokenizer = CLIPTokenizer(vocab={t: i for i, t in enumerate(tokens)}, merges=[], model_max_length=16)

    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=HIDDEN,
            intermediate_size=FFN,
            num_hidden_layers=LAYERS,
            num_attention_heads=HEADS,
            max_position_embeddings=tokenizer.model_max_length,
            projection_dim=HIDDEN,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    # 64x64 latents for 512x512 images. Two levels, cross-attention only in the 32x32 mid block: on a
    # small CPU a step's cost is mostly per-op overhead, so the fewest ops wins (~40 steps/s on 1 core).
    unet = UNet2DConditionModel(
        sample_size=64,
        in_channels=4,
        out_channels=4,
        block_out_channels=(4, 8),
        layers_per_block=1,
        norm_num_groups=4,
        down_block_types=("DownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "UpBlock2D"),
        cross_attention_dim=HIDDEN,
        attention_head_dim=4,
    )
    # Four blocks → the pipeline's vae_scale_factor is 2**3 = 8, like Stable Diffusion.
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        block_out_channels=(4, 4, 4, 4),
        layers_per_block=1,
        norm_num_groups=4,
        latent_channels=4,
        sample_size=512,
        mid_block_add_attention=False,  # 4096-token attention at 64x64 would dominate the decode
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    pipeline = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(out)
    return out
